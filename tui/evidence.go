package tui

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/userfile"
)

// evidencePage lists the files attached to one item at the scope it is
// answered at (docs/evidence.md): name, type, size and the start of the
// SHA-256 in a table, and the selected file in full under it. a attaches a
// file by its path (local sessions) or shows the ssh command that does it
// (over SSH, where a path would name a file of the server); D removes the
// selected file after a confirmation, the history keeping what it was.
type evidencePage struct {
	ctx   *Context
	keys  EvidenceKeys
	w, h  int
	scope checklist.Scope // where the item is answered
	item  *checklist.Item

	files  []checklist.Evidence
	built  int // session version files were read from
	cursor int
	offset int
	// selectID is the file to put the cursor on once it is listed (the
	// one just attached).
	selectID string

	// lastErr is the last refusal, shown whole under the table (the
	// status line cuts long ones); hint shows the ssh command (remote).
	lastErr string
	hint    bool

	// Form drafts: huh binds to these while a form is open.
	pathDraft, nameDraft, noteDraft string
	confirm                         bool
}

// evidenceWhat is how the files to attach are named in messages, as the
// CLI names them (cmd/cieaudit/evidence.go).
const evidenceWhat = "il file da allegare"

func newEvidencePage(ctx *Context, scope checklist.Scope, it *checklist.Item) *evidencePage {
	p := &evidencePage{ctx: ctx, keys: ctx.Keys.Evidence, scope: scope, item: it, built: -1}
	if ctx.remote {
		p.keys.Add = short(p.keys.Add, "come allegare via SSH")
	}
	p.rebuild()
	return p
}

func (p *evidencePage) Title() string    { return "Allegati " + p.item.ID }
func (p *evidencePage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *evidencePage) Init() tea.Cmd    { return nil }

func (p *evidencePage) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Add, k.Remove, p.ctx.Keys.Global.Back}
}

func (p *evidencePage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Add, k.Remove}}
}

// clear hides the ssh hint or the last refusal before esc goes back.
func (p *evidencePage) clear() bool {
	if !p.hint && p.lastErr == "" {
		return false
	}
	p.hint, p.lastErr = false, ""
	return true
}

// rebuild reads the item's files from the open audit, keeping the cursor
// on the same file.
func (p *evidencePage) rebuild() {
	sess := p.ctx.Audit
	p.built = sess.version
	cur := p.selectID
	if cur == "" && p.cursor < len(p.files) {
		cur = p.files[p.cursor].ID
	}
	p.files = p.files[:0]
	for _, e := range sess.snap.Evidence {
		if e.Scope == p.scope && e.Item == p.item.ID {
			p.files = append(p.files, e)
		}
	}
	if i := slices.IndexFunc(p.files, func(e checklist.Evidence) bool { return e.ID == cur }); i >= 0 {
		p.cursor = i
	}
	p.cursor = max(min(p.cursor, len(p.files)-1), 0)
}

func (p *evidencePage) Update(msg tea.Msg) (Component, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		cmd = p.handleKey(msg)
	case evidenceDoneMsg:
		p.lastErr = ""
		if msg.err != nil {
			p.lastErr = msg.failed + ": " + msg.reason()
		} else if msg.added != "" {
			p.pathDraft, p.nameDraft, p.noteDraft = "", "", ""
			p.selectID = msg.added
			p.rebuild()
			p.selectID = ""
		}
	case auditReloadedMsg:
		if !p.ctx.Audit.snap.Audit.HasScope(p.scope) {
			return p, popWith(statusError, p.scope.Label()+" non esiste più nell'audit")
		}
	}
	if p.built != p.ctx.Audit.version {
		p.rebuild()
	}
	return p, cmd
}

func (p *evidencePage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	var moved bool
	if p.cursor, moved = navigate(p.keys.NavKeys, msg, p.cursor, len(p.files), p.listHeight()); moved {
		return nil
	}
	switch {
	case key.Matches(msg, p.keys.Add):
		return p.add()
	case key.Matches(msg, p.keys.Remove):
		return p.remove()
	}
	return nil
}

// add opens the form that attaches a file by its path; over SSH it shows
// the command that sends the file from the user's computer instead.
func (p *evidencePage) add() tea.Cmd {
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	if p.ctx.remote {
		p.hint, p.lastErr = true, ""
		return setStatus(statusInfo, "Via SSH il file si allega dal proprio computer: il comando è sotto l'elenco")
	}
	// The drafts stay after a refusal, so that a corrected path is not
	// typed again from scratch; an attachment empties them.
	// Two steps: the path alone first, so that a refusal shows under it
	// however small the window; then the name and the note.
	form := huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Title("Percorso del file").
				Description(fmt.Sprintf("Relativo a %s, oppure assoluto o con ~ per la cartella personale.\n"+
					"Ammessi %s, fino a %d MiB.", checklist.CleanText(p.ctx.workDir, false), checklist.EvidenceTypesText, checklist.MaxEvidenceBytes>>20)).
				Value(&p.pathDraft).Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return fmt.Errorf("indicare il percorso del file da allegare")
				}
				return userfile.Check(evidenceWhat, p.resolve(s), checklist.MaxEvidenceBytes)
			}),
		),
		huh.NewGroup(
			huh.NewInput().Title("Nome dell'allegato").
				Description("Facoltativo: predefinito il nome del file.").
				Value(&p.nameDraft).Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				_, err := checklist.EvidenceName(s)
				return err
			}),
			newText().Title("Nota").Description("Facoltativa: cosa mostra il file. Invio allega, alt+invio va a capo.").
				Lines(3).Value(&p.noteDraft),
		),
	)
	return openForm(p.item.ID+" — aggiungi allegato", form, func() tea.Cmd {
		path := p.resolve(p.pathDraft)
		name := strings.TrimSpace(p.nameDraft)
		if name == "" {
			name = filepath.Base(path)
		}
		note := strings.TrimSpace(p.noteDraft)
		store, id, user, scope, item := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User, p.scope, p.item.ID
		failed := "NON allegato " + checklist.CleanText(name, false)
		return func() tea.Msg {
			// Read and written here, off the screen's loop: a slow disk
			// never freezes it, and "Salvato" comes only after the commit.
			data, err := userfile.Read(evidenceWhat, path, checklist.MaxEvidenceBytes)
			if err != nil {
				return evidenceDoneMsg{audit: id, failed: failed, err: err}
			}
			e, err := store.AddEvidence(id, scope, item, name, note, data, user)
			if err != nil {
				return evidenceDoneMsg{audit: id, failed: failed, err: err}
			}
			return reloadAfterEvidence(store, id, evidenceDoneMsg{audit: id, added: e.ID,
				done: fmt.Sprintf("Salvato: allegato %s «%s» a %s (%s, %s)", e.ID, checklist.CleanText(e.Name, false),
					e.Item, checklist.EvidenceTypeLabel(e.Type), checklist.FormatBytes(e.Size))})
		}
	})
}

// remove asks for a confirmation, then detaches the selected file.
func (p *evidencePage) remove() tea.Cmd {
	if len(p.files) == 0 {
		return setStatus(statusInfo, "Nessun allegato da togliere")
	}
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	e := p.files[p.cursor]
	name := checklist.CleanText(e.Name, false)
	p.confirm = false
	form := huh.NewForm(huh.NewGroup(
		huh.NewConfirm().Title(fmt.Sprintf("Togliere %s «%s» da %s?", e.ID, name, e.Item)).
			Description("Lo storico conserva nome, tipo, dimensione e SHA-256.").
			Affirmative("Togli").Negative("Annulla").Value(&p.confirm),
	))
	return openForm("Allegato "+e.ID, form, func() tea.Cmd {
		if !p.confirm {
			return setStatus(statusInfo, "Nessun allegato tolto")
		}
		store, id, user := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User
		failed := "NON tolto " + e.ID
		return func() tea.Msg {
			r, err := store.RemoveEvidence(id, e.ID, user)
			if err != nil {
				return evidenceDoneMsg{audit: id, failed: failed, err: err}
			}
			return reloadAfterEvidence(store, id, evidenceDoneMsg{audit: id,
				done: fmt.Sprintf("Salvato: tolto %s «%s» da %s (lo storico lo conserva)", r.ID, checklist.CleanText(r.Name, false), r.Item)})
		}
	})
}

// evidenceDoneMsg reports an attachment or a removal: done is the status
// once committed, failed the start of the refusal.
type evidenceDoneMsg struct {
	audit        string
	done, failed string
	added        string // the ID of the file attached
	err          error
}

// reason is the refusal without the store's "allegato:" prefix, which
// failed already says.
func (msg evidenceDoneMsg) reason() string {
	return strings.TrimPrefix(msg.err.Error(), "allegato: ")
}

// reloadAfterEvidence is the open audit read again after a committed
// change to its files (new records and history), then done.
func reloadAfterEvidence(store Store, id string, done evidenceDoneMsg) tea.Msg {
	snap, err := store.Load(id)
	return tea.Sequence(
		func() tea.Msg { return auditReloadedMsg{snap: snap, err: err} },
		func() tea.Msg { return done },
	)()
}

// evidenceDone puts the outcome on the status line, whichever page is on
// top by then.
func (m *Model) evidenceDone(msg evidenceDoneMsg) tea.Cmd {
	if msg.err != nil {
		if _, ok := m.top().(*evidencePage); ok {
			// The page shows the reason whole; the status line would
			// cut it and say it twice.
			m.say(statusError, msg.failed+": il motivo è sotto l'elenco")
		} else {
			m.say(statusError, msg.failed+": "+msg.reason())
		}
	} else if m.ctx.Audit != nil && m.ctx.Audit.id() == msg.audit {
		m.say(statusOK, msg.done)
	}
	return m.forwardTop(msg)
}

// resolve turns a typed path into the file it names: surrounding quotes
// (a path dropped on the terminal) dropped, ~ the home folder, relative
// paths from the working directory.
func (p *evidencePage) resolve(s string) string { return resolvePath(s, p.ctx.homeDir, p.ctx.workDir) }

func resolvePath(s, home, wd string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	switch {
	case s == "~" && home != "":
		s = home
	case strings.HasPrefix(s, "~/") && home != "":
		s = filepath.Join(home, s[2:])
	}
	if !filepath.IsAbs(s) && wd != "" {
		s = filepath.Join(wd, s)
	}
	return filepath.Clean(s)
}

// sshEvidenceCommand is the command a remote user runs on their own
// computer to attach FILE to item at scope of the audit, in groups that
// stay together on a line (a flag and its value).
func sshEvidenceCommand(addr, auditID string, scope checklist.Scope, item string) []string {
	return sshCommand(addr, "evidence add "+sshArg(auditID), "--scope "+sshArg(scope.String()), "--item "+sshArg(item), "- < FILE")
}

// sshCommand is "ssh -p PORT HOST" to the server at addr (the address the
// client reached, Options.SSHAddr) followed by groups, whose arguments the
// caller quotes with sshArg; lay it out with shellLines.
func sshCommand(addr string, groups ...string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		host, port = "HOST", "PORTA"
	}
	return append([]string{"ssh -p " + port + " " + sshArg(host)}, groups...)
}

// shellLines lays out the groups of a shell command in lines of at most w
// cells, continued with a backslash, so that the command stays whole when
// copied from the screen and pasted into a shell.
func shellLines(groups []string, w int) []string {
	var lines []string
	cur := ""
	for _, g := range groups {
		switch {
		case cur == "":
			cur = g
		case ansi.StringWidth(cur)+1+ansi.StringWidth(g)+2 <= w:
			cur += " " + g
		default:
			lines = append(lines, cur+" \\")
			cur = "  " + g
		}
	}
	return append(lines, cur)
}

var plainArg = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// sshArg quotes an argument of a command run over ssh: the local shell
// takes one level of quotes, and the server splits the command line it
// receives again, shell-like, so an argument with spaces or quotes (a sede
// named "Sala dell'Unione") is quoted twice: "'sede:Sala grande'".
func sshArg(s string) string {
	if plainArg.MatchString(s) {
		return s
	}
	remote := shellQuote(s)
	if strings.Contains(s, "'") && !strings.ContainsAny(s, "\"\\$`") {
		remote = `"` + s + `"`
	}
	if !strings.ContainsAny(remote, "\"\\$`!") {
		return `"` + remote + `"`
	}
	return shellQuote(remote)
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// listHeight is the number of table rows: the page minus the title, the
// item, the table header and the detail of the selected file.
func (p *evidencePage) listHeight() int { return max(p.h-4-p.detailHeight(), 3) }

func (p *evidencePage) detailHeight() int { return min(max(p.h/2-2, 5), 12) }

// evidenceColumns are the widths of the table for a page w cells wide; the
// name takes what is left.
type evidenceColumns struct{ id, name, kind, size, digest, author, when int }

func evidenceTableColumns(w int) evidenceColumns {
	c := evidenceColumns{id: 6, kind: 22, size: 9, digest: 8}
	if w >= 110 {
		c.kind, c.digest, c.author, c.when = 24, 12, 14, 10
	}
	fixed := 2 + c.id + 1 + 1 + c.kind + 1 + c.size + 1 + c.digest
	if c.author > 0 {
		fixed += 1 + c.author + 1 + c.when
	}
	c.name = max(w-fixed, 10)
	return c
}

func (c evidenceColumns) row(id, name, kind, size, digest, author, when string) string {
	r := pad(id, c.id) + " " + pad(name, c.name) + " " + pad(kind, c.kind) + " " + padLeft(size, c.size) + " " + pad(digest, c.digest)
	if c.author > 0 {
		r += " " + pad(author, c.author) + " " + pad(when, c.when)
	}
	return r
}

func (p *evidencePage) View() string {
	st := p.ctx.Styles
	if p.built != p.ctx.Audit.version {
		p.rebuild()
	}
	var total int64
	for _, e := range p.files {
		total += e.Size
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("Allegati di "+p.item.ID) + st.Muted.Render(fmt.Sprintf(" · %s · %d file, %s",
		checklist.CleanText(p.scope.Label(), false), len(p.files), checklist.FormatBytes(total))) + "\n")
	b.WriteString(st.Muted.Render(ansi.Truncate(checklist.CleanText(p.item.Title(), false), p.w, "…")) + "\n")
	used := 2
	var under []string
	if len(p.files) == 0 {
		empty := wrap(p.emptyText(), p.w)
		b.WriteString("\n" + empty + "\n")
		used += 2 + strings.Count(empty, "\n")
	} else {
		table := p.table()
		b.WriteString(table)
		used += strings.Count(table, "\n")
	}
	if p.lastErr != "" {
		under = append(under, st.StatusError.Render(wrap("✗ "+p.lastErr, p.w)))
	}
	switch {
	case p.hint:
		under = append(under, p.hintLines()...)
	case len(p.files) > 0:
		under = append(under, p.detail(p.files[p.cursor])...)
	}
	b.WriteString(fit(strings.Join(under, "\n"), p.w, max(p.h-used, 1)))
	return b.String()
}

func (p *evidencePage) emptyText() string {
	switch {
	case p.ctx.editRefusal() != "":
		return "Nessun allegato per questa voce."
	case p.ctx.remote:
		return "Nessun allegato per questa voce: a mostra il comando che allega un file dal proprio computer."
	}
	return "Nessun allegato per questa voce: a aggiunge un file indicandone il percorso (una foto, un verbale scansionato, un documento)."
}

// table is the header and the rows of the files, with the cursor in view,
// as h lines.
func (p *evidencePage) table() string {
	st := p.ctx.Styles
	c := evidenceTableColumns(p.w)
	// As tall as the files, up to the room there is: the selected file's
	// detail follows right under the last one.
	h := min(p.listHeight(), len(p.files))
	lines := []string{st.Label.Render("  " + c.row("ID", "Nome", "Tipo", "Dimens.", "SHA-256", "Autore", "Data"))}
	p.offset = scrollWindow(p.offset, p.cursor, h, len(p.files))
	for i := p.offset; i < min(p.offset+h, len(p.files)); i++ {
		e := p.files[i]
		row := c.row(e.ID, checklist.CleanText(e.Name, false), checklist.EvidenceTypeLabel(e.Type), checklist.FormatBytes(e.Size),
			e.Digest[:min(c.digest, len(e.Digest))], checklist.CleanText(e.Author, false), e.At.Local().Format("02/01/2006"))
		if i == p.cursor {
			lines = append(lines, st.Cursor.Render("▸ ")+st.Selected.Render(row))
		} else {
			lines = append(lines, "  "+row)
		}
	}
	return fit(strings.Join(lines, "\n"), p.w, h+1) + "\n"
}

// detail is the selected file in full: the table cuts names and digests,
// and leaves the note out.
func (p *evidencePage) detail(e checklist.Evidence) []string {
	st := p.ctx.Styles
	w := p.w
	lines := []string{
		st.Separator.Render(strings.Repeat("─", w)),
		wrap(st.Bold.Render(e.ID+" "+checklist.CleanText(e.Name, false))+st.Muted.Render(" · "+checklist.EvidenceTypeLabel(e.Type)+" · "+checklist.FormatBytes(e.Size)), w),
		wrap(st.Label.Render("SHA-256: ")+e.Digest, w),
		st.Label.Render("Allegato da ") + checklist.CleanText(e.Author, false) + st.Label.Render(" il ") + e.At.Local().Format("02/01/2006 15:04"),
	}
	if note := checklist.CleanText(e.Note, true); note != "" {
		lines = append(lines, wrap(st.Label.Render("Nota: ")+note, w))
	}
	lines = append(lines, st.Muted.Render(wrap("Nel fascicolo esportato: evidenze/"+checklist.EvidenceFileName(e), w)))
	return lines
}

// hintLines tell a remote user how to attach a file from their computer.
func (p *evidencePage) hintLines() []string {
	st := p.ctx.Styles
	lines := []string{
		st.Separator.Render(strings.Repeat("─", p.w)),
		wrap(st.Label.Render("Via SSH un percorso indicherebbe un file del server: il file si allega dal proprio computer con"), p.w),
	}
	groups := sshEvidenceCommand(p.ctx.sshAddr, p.ctx.Audit.id(), p.scope, p.item.ID)
	for i, g := range groups {
		groups[i] = checklist.CleanText(g, false)
	}
	for _, l := range shellLines(groups, p.w) {
		lines = append(lines, st.Bold.Render(l))
	}
	return append(lines, st.Muted.Render(wrap("FILE è il file da allegare; --name NOME e --note TESTO, prima del -, gli danno nome e nota. "+
		"L'elenco si aggiorna da sé. esc chiude.", p.w)))
}

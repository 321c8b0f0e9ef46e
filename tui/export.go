package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/cieaudit/cieaudit/export"
)

// exportPage writes the report bundle (PDF, HTML, XLSX, CSV, JSON) of the
// audit into a folder, showing the progress and the files written.
type exportPage struct {
	ctx  *Context
	w, h int

	dir     textinput.Model
	running bool
	done    int
	total   int
	current string
	paths   []string
	dest    string // the folder the last export was written into
	err     error
	events  chan tea.Msg
	// exists is the folder the last export found already there: the page
	// then asks whether to replace it (s) or keep it (n, esc).
	exists string
}

type exportProgressMsg struct {
	done, total int
	file        string
}

type exportDoneMsg struct {
	dest   string
	paths  []string
	err    error
	exists bool // the destination is a non-empty folder (export.ErrExists)
}

var exportKeys = struct{ Start, Edit, Replace, Keep key.Binding }{
	Start:   bind([]string{"enter"}, "invio", "esporta"),
	Edit:    bind([]string{"esc"}, "esc", "indietro"),
	Replace: bind([]string{"s", "S"}, "s", "sostituisci la cartella"),
	Keep:    bind([]string{"n", "N", "esc"}, "n/esc", "scegli un'altra cartella"),
}

func newExportPage(ctx *Context) *exportPage {
	ti := textinput.New()
	ti.Prompt = "Cartella: "
	ti.SetValue(defaultExportDir(ctx))
	ti.Focus()
	return &exportPage{ctx: ctx, dir: ti}
}

// defaultExportDir is export-<ente>-<year> under the user's export folder
// (userExportBase), or relative to the export root when exports are
// confined to one (over SSH).
func defaultExportDir(ctx *Context) string {
	a := ctx.Audit.snap.Audit
	name := fmt.Sprintf("export-%s-%d", slug(a.Ente.Name), a.Year)
	if ctx.exportRoot != "" || ctx.exportBase == "" {
		return name
	}
	return filepath.Join(ctx.exportBase, name)
}

// userExportBase is the per-user folder the TUI proposes for exports, never
// the working directory (inside a checkout that leaves an untracked
// folder): $XDG_DOCUMENTS_DIR/cieaudit, else ~/Documenti/cieaudit or
// ~/Documents/cieaudit when that documents folder exists, else
// $XDG_DATA_HOME/cieaudit/esportazioni (~/.local/share/...). getenv and
// isDir are os.Getenv and a directory check, passed in for tests; "" when
// no home folder is known.
func userExportBase(getenv func(string) string, home string, isDir func(string) bool) string {
	if d := getenv("XDG_DOCUMENTS_DIR"); filepath.IsAbs(d) {
		return filepath.Join(d, "cieaudit")
	}
	if home == "" {
		return ""
	}
	for _, docs := range []string{"Documenti", "Documents"} {
		if d := filepath.Join(home, docs); isDir(d) {
			return filepath.Join(d, "cieaudit")
		}
	}
	data := getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) {
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "cieaudit", "esportazioni")
}

// osExportBase is userExportBase for this process's user.
func osExportBase() string {
	home, _ := os.UserHomeDir()
	return userExportBase(os.Getenv, home, func(d string) bool {
		fi, err := os.Stat(d)
		return err == nil && fi.IsDir()
	})
}

// slug keeps letters and digits (without accents) and joins words with '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "audit"
	}
	return b.String()
}

func (p *exportPage) Title() string    { return "Esportazione" }
func (p *exportPage) SetSize(w, h int) { p.w, p.h = w, h; p.dir.SetWidth(max(w-12, 10)) }
func (p *exportPage) Init() tea.Cmd    { return nil }

// capturing keeps q and other letters for the folder name while typing,
// and keeps the page open while an export runs: its result, a failure
// above all, must reach the user.
func (p *exportPage) capturing() bool { return true }

// keepsHelpKey: ? opens the help even while the folder name is typed (a
// folder name with ? is not worth a key nobody could otherwise reach).
func (p *exportPage) keepsHelpKey() bool { return true }

func (p *exportPage) ShortHelp() []key.Binding {
	if p.exists != "" {
		return []key.Binding{exportKeys.Replace, exportKeys.Keep}
	}
	return []key.Binding{p.ctx.Keys.Global.Help, exportKeys.Start, exportKeys.Edit}
}
func (p *exportPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{exportKeys.Start, exportKeys.Edit}, {exportKeys.Replace, exportKeys.Keep}}
}

func (p *exportPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.running {
			switch msg.String() {
			case "esc", "q":
				return p, setStatus(statusInfo, "Esportazione in corso…: attendere la fine, poi esc torna indietro")
			}
			return p, nil
		}
		if p.exists != "" {
			switch {
			case key.Matches(msg, exportKeys.Replace):
				p.exists = ""
				return p, p.start(true)
			case key.Matches(msg, exportKeys.Keep):
				p.exists, p.err = "", nil
				return p, setStatus(statusInfo, "Cartella non sostituita: indicarne un'altra o premere invio per chiedere di nuovo")
			}
			return p, nil
		}
		switch msg.String() {
		case "esc":
			return p, pop
		case "enter":
			return p, p.start(false)
		}
		var cmd tea.Cmd
		p.dir, cmd = p.dir.Update(msg)
		return p, cmd
	case exportProgressMsg:
		p.done, p.total, p.current = msg.done, msg.total, msg.file
		return p, p.wait()
	case exportDoneMsg:
		p.running, p.paths, p.dest, p.err = false, msg.paths, msg.dest, msg.err
		if msg.exists {
			p.exists, p.err = msg.dest, nil
			return p, setStatus(statusInfo, "La cartella esiste già: s la sostituisce, n o esc per sceglierne un'altra")
		}
		if msg.err != nil {
			return p, setStatus(statusError, "Esportazione non riuscita: "+msg.err.Error())
		}
		return p, setStatus(statusOK, fmt.Sprintf("Esportati %d file in %s", len(msg.paths), msg.dest))
	}
	return p, nil
}

// start renders the bundle from a fresh snapshot read from the store, so
// that it holds exactly what is saved and never races with the screen.
// replace publishes over an existing folder (export.Options.Force: the new
// one is staged and renamed into place, so a failure keeps the old one).
func (p *exportPage) start(replace bool) tea.Cmd {
	dir := strings.TrimSpace(p.dir.Value())
	if dir == "" {
		return setStatus(statusError, "Indicare la cartella di destinazione")
	}
	root := p.ctx.exportRoot
	if root != "" {
		// Only the text is checked here (Update does no file I/O); the
		// export itself writes through an os.Root that refuses links out.
		rel, err := export.LocalPath(root, dir)
		if err != nil {
			p.err, p.paths = err, nil
			return setStatus(statusError, "Esportazione rifiutata: "+err.Error())
		}
		dir = rel
	}
	p.running, p.err, p.paths, p.dest, p.done, p.total, p.current = true, nil, nil, "", 0, 0, ""
	events := make(chan tea.Msg, 16)
	p.events = events
	store, id := p.ctx.Store, p.ctx.Audit.id()
	go func() {
		// A panic here would end the process: on the SSH server, every
		// session. It becomes the export's failure instead.
		defer func() {
			if r := recover(); r != nil {
				events <- exportDoneMsg{err: fmt.Errorf("errore interno durante l'esportazione (%v): i file eventualmente scritti possono essere incompleti; riprovare in una cartella nuova e segnalare il problema", r)}
			}
		}()
		snap, err := store.Load(id)
		if err != nil {
			events <- exportDoneMsg{err: err}
			return
		}
		if snap.Audit.Predecessor != "" {
			// The report compares with the previous years.
			if snap, err = store.LoadChain(id, 10); err != nil {
				events <- exportDoneMsg{err: err}
				return
			}
		}
		opts := export.Options{Root: root, Force: replace, Progress: func(done, total int, file string) {
			select {
			case events <- exportProgressMsg{done: done, total: total, file: file}:
			default: // the screen is behind: skip this step rather than stall the export
			}
		}}
		if len(snap.Evidence) > 0 {
			if opts.Evidence, err = store.EvidenceContents(id); err != nil {
				events <- exportDoneMsg{err: err}
				return
			}
		}
		paths, err := export.Bundle(snap, nil, dir, opts)
		dest := dir
		if root != "" {
			dest = filepath.Join(root, dir)
		} else if abs, absErr := filepath.Abs(dir); absErr == nil {
			dest = abs
		}
		events <- exportDoneMsg{dest: dest, paths: paths, err: err, exists: errors.Is(err, export.ErrExists)}
	}()
	// In sequence: a quick failure must not be overwritten by "in corso".
	return tea.Sequence(setStatus(statusInfo, "Esportazione in corso…"), p.wait())
}

func (p *exportPage) wait() tea.Cmd {
	events := p.events
	return func() tea.Msg { return <-events }
}

func (p *exportPage) View() string {
	st := p.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Esportazione del rapporto") + "\n\n")
	b.WriteString("Crea nella cartella il piano di sicurezza in PDF e HTML, il foglio XLSX, i CSV,\nil JSON completo e SHA256SUMS. Invio avvia, esc torna indietro.\n\n")
	if root := p.ctx.exportRoot; root != "" {
		b.WriteString(wrap("La cartella è relativa alla cartella delle esportazioni sul server, "+root+"; per avere i dati sul proprio computer usare ssh … export … --format csv.", p.w) + "\n\n")
	}
	b.WriteString(p.dir.View() + "\n\n")
	switch {
	case p.exists != "":
		b.WriteString(st.StatusError.Render(wrap("La cartella "+p.exists+" esiste già e non è vuota: sostituirla? Tutto il suo contenuto sarà sostituito dalla nuova esportazione (scritta a parte e messa al suo posto solo a lavoro finito).", p.w)))
	case p.running:
		b.WriteString(fmt.Sprintf("In corso: %d/%d %s\n", p.done, p.total, p.current))
		if p.total > 0 {
			b.WriteString(st.bar(p.done, p.total, min(40, p.w-4)))
		}
	case p.err != nil:
		b.WriteString(st.StatusError.Render(wrap("Errore: "+p.err.Error(), p.w)))
	case p.paths != nil:
		// The names, not the full paths: fourteen paths of one folder do
		// not fit in 24 rows and repeat the folder on every line.
		names := make([]string, len(p.paths))
		for i, path := range p.paths {
			names[i] = path
			if rel, err := filepath.Rel(p.dest, path); err == nil && filepath.IsLocal(rel) {
				names[i] = rel
			}
		}
		b.WriteString(st.StatusOK.Render(wrap("Esportazione completata in "+p.dest+":", p.w)) + "\n")
		b.WriteString(wrap(strings.Join(names, " · "), p.w) + "\n")
	}
	return b.String()
}

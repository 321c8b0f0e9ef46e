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
}

type exportProgressMsg struct {
	done, total int
	file        string
}

type exportDoneMsg struct {
	dest  string
	paths []string
	err   error
}

var exportKeys = struct{ Start, Edit key.Binding }{
	Start: bind([]string{"enter"}, "invio", "esporta"),
	Edit:  bind([]string{"esc"}, "esc", "indietro"),
}

func newExportPage(ctx *Context) *exportPage {
	ti := textinput.New()
	ti.Prompt = "Cartella: "
	ti.SetValue(defaultExportDir(ctx))
	ti.Focus()
	return &exportPage{ctx: ctx, dir: ti}
}

// defaultExportDir is export-<ente>-<year> under the working directory, or
// relative to the export root when exports are confined to one.
func defaultExportDir(ctx *Context) string {
	a := ctx.Audit.snap.Audit
	name := fmt.Sprintf("export-%s-%d", slug(a.Ente.Name), a.Year)
	if ctx.exportRoot != "" {
		return name
	}
	if ctx.workDir != "" {
		return filepath.Join(ctx.workDir, name)
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Join(wd, name)
	}
	return name
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

func (p *exportPage) ShortHelp() []key.Binding {
	return []key.Binding{exportKeys.Start, exportKeys.Edit}
}
func (p *exportPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{exportKeys.Start, exportKeys.Edit}}
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
		switch msg.String() {
		case "esc":
			return p, pop
		case "enter":
			return p, p.start()
		}
		var cmd tea.Cmd
		p.dir, cmd = p.dir.Update(msg)
		return p, cmd
	case exportProgressMsg:
		p.done, p.total, p.current = msg.done, msg.total, msg.file
		return p, p.wait()
	case exportDoneMsg:
		p.running, p.paths, p.dest, p.err = false, msg.paths, msg.dest, msg.err
		if msg.err != nil {
			return p, setStatus(statusError, "Esportazione non riuscita: "+msg.err.Error())
		}
		return p, setStatus(statusOK, fmt.Sprintf("Esportati %d file in %s", len(msg.paths), msg.dest))
	}
	return p, nil
}

// start renders the bundle from a fresh snapshot read from the store, so
// that it holds exactly what is saved and never races with the screen.
func (p *exportPage) start() tea.Cmd {
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
		opts := export.Options{Root: root, Progress: func(done, total int, file string) {
			select {
			case events <- exportProgressMsg{done: done, total: total, file: file}:
			default: // the screen is behind: skip this step rather than stall the export
			}
		}}
		paths, err := export.Bundle(snap, nil, dir, opts)
		dest := dir
		if root != "" {
			dest = filepath.Join(root, dir)
		} else if abs, absErr := filepath.Abs(dir); absErr == nil {
			dest = abs
		}
		if errors.Is(err, export.ErrExists) {
			err = fmt.Errorf("la cartella %s esiste già e non è vuota: indicarne un'altra", dest)
		}
		events <- exportDoneMsg{dest: dest, paths: paths, err: err}
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
	case p.running:
		b.WriteString(fmt.Sprintf("In corso: %d/%d %s\n", p.done, p.total, p.current))
		if p.total > 0 {
			b.WriteString(st.bar(p.done, p.total, min(40, p.w-4)))
		}
	case p.err != nil:
		b.WriteString(st.StatusError.Render(wrap("Errore: "+p.err.Error(), p.w)))
	case p.paths != nil:
		b.WriteString(st.StatusOK.Render("Esportazione completata in "+p.dest+":") + "\n")
		for _, path := range p.paths {
			b.WriteString("  " + path + "\n")
		}
	}
	return b.String()
}

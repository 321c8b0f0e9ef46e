// Package tui is the keyboard-only terminal interface of cieaudit: the audit
// list, the overview of one audit, the checklist of each scope, closing and
// reopening, the risk picture and the export, and for admins the SSH access
// log.
//
// The TUI never touches the database directly: every read and write goes
// through the Store interface inside a tea.Cmd, and the screen reports
// "Salvato" only once the store has committed.
//
// Layout of the package: Model (tui.go) is the root, holding a stack of
// pages that implement Component and share one Context (context.go); each
// page is one file (home, overview, checklist, closeaudit, risk, export,
// accesslog).
// Keys live in keys.go, styles in styles.go, messages in messages.go. Forms
// are huh forms opened with openForm and drawn by the root over the page.
package tui

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
)

// Minimum window size below which the TUI asks for a larger window instead
// of drawing a broken layout.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Options configure the TUI of one user session.
type Options struct {
	Store Store
	// User is recorded as the author of every answer.
	User string
	// Role limits what the user may do: viewers read only.
	Role checklist.Role
	// AuditID opens this audit directly.
	AuditID string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// IdleTimeout quits after that long without a key press; 0 never does.
	// Nothing is lost: every change is saved as soon as it is made.
	IdleTimeout time.Duration
	// Refresh, when positive, is how often the open audit is checked for
	// changes made by other processes (refresh.go); 0 never checks.
	Refresh time.Duration
	// CreateDemo creates (or finds) the demo audit; offered on an empty
	// database when not nil.
	CreateDemo func() (auditID string, err error)
	// ExportRoot, when set, confines the export page to this folder (over
	// SSH it is a folder of the server, written as the service user): the
	// typed folder is taken relative to it, and absolute paths and paths
	// that escape it with ".." or through symbolic links are refused. The
	// default is ExportRoot/export-<ente>-<year>. Empty keeps the local
	// behaviour: any folder, by default under the working directory.
	ExportRoot string
	// Accessible asks forms as plain prompts, one field at a time, instead
	// of drawing them (huh's accessible mode, for screen readers): set by
	// CIEAUDIT_ACCESSIBLE=1. See accessible.go.
	Accessible bool
	// SSHAddr, set by the SSH server, is the address (host:port) the
	// client connected to. It marks the session as remote: files named in
	// the TUI would be the server's, so evidence is attached from the
	// user's own computer through the CLI, and the TUI shows the exact
	// command with this address (evidence.go).
	SSHAddr string
}

// Model is the root of the TUI: a stack of pages, an optional form shown
// over the top page, the status line and the help.
type Model struct {
	ctx      *Context
	opts     Options
	stack    []Component
	form     *formMsg
	help     help.Model
	fullHelp bool
	isDark   bool
	noColor  bool

	status     string
	statusKind statusKind
	// statusSeq orders status changes (see statusMsg).
	statusSeq uint64

	lastKey  time.Time
	quitting string

	// place is the scope and item last seen under the cursor; placeSeq
	// identifies the latest scheduled save of it.
	place    string
	placeSeq int

	// closed is closed by Close: the idle timer's command waits on it, so
	// that a session that ends leaves no goroutine holding the program and
	// this model until the timer would have fired.
	closed    chan struct{}
	closeOnce sync.Once

	// execForm replaces tea.Exec for accessible forms in tests.
	execForm func(tea.ExecCommand, tea.ExecCallback) tea.Cmd
}

// New returns the TUI model for one session.
func New(opts Options) *Model {
	return newModel(opts, os.Getenv("NO_COLOR") != "")
}

func newModel(opts Options, noColor bool) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Role == "" {
		opts.Role = checklist.RoleAuditor
	}
	if opts.User == "" {
		opts.User = "sconosciuto"
	}
	ctx := &Context{
		Width: 80, Height: 24,
		Styles:     NewStyles(true, noColor),
		Keys:       DefaultKeys(),
		Store:      opts.Store,
		User:       opts.User,
		Role:       opts.Role,
		Now:        opts.Now,
		CreateDemo: opts.CreateDemo,
		exportRoot: opts.ExportRoot,
		remote:     opts.SSHAddr != "" || opts.ExportRoot != "",
		sshAddr:    opts.SSHAddr,
	}
	if opts.ExportRoot == "" {
		ctx.exportBase = osExportBase()
	}
	if !ctx.remote {
		ctx.workDir, _ = os.Getwd()
		ctx.homeDir, _ = os.UserHomeDir()
	}
	m := &Model{ctx: ctx, opts: opts, isDark: true, noColor: noColor, help: help.New(), closed: make(chan struct{})}
	m.applyStyles()
	m.stack = []Component{newHomePage(ctx)}
	m.lastKey = opts.Now()
	return m
}

// Init loads the audit list and reopens where the user left off.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.stack[0].Init(), m.startCmd(), tea.RequestBackgroundColor}
	if m.opts.IdleTimeout > 0 {
		cmds = append(cmds, m.idleAfter(m.opts.IdleTimeout))
	}
	cmds = append(cmds, m.refreshTick())
	return tea.Batch(cmds...)
}

// Close releases what the model keeps running in the background (the idle
// timer). The SSH server calls it when the session ends, however it ends;
// it is safe to call more than once.
func (m *Model) Close() {
	m.closeOnce.Do(func() { close(m.closed) })
}

// idleAfter is the idle check, d from now. Unlike tea.Tick, whose goroutine
// would sleep for the whole timeout keeping the program and this model
// reachable after the session has ended, it returns at once on Close.
func (m *Model) idleAfter(d time.Duration) tea.Cmd {
	closed := m.closed
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return idleMsg{}
		case <-closed:
			return nil
		}
	}
}

// startCmd opens --audit, or the audit, scope and item the user last
// worked on.
func (m *Model) startCmd() tea.Cmd {
	store, user, auditID := m.ctx.Store, m.ctx.User, m.opts.AuditID
	return func() tea.Msg {
		st, err := store.UIState(user)
		if err != nil {
			st = checklist.UIState{}
		}
		target := openTarget{}
		switch {
		case auditID != "":
			if st.Audit == auditID {
				target = openTarget{scope: st.Scope, item: st.Item}
			}
		case st.Audit != "":
			auditID = st.Audit
			target = openTarget{scope: st.Scope, item: st.Item}
		default:
			return nil
		}
		snap, err := store.Load(auditID)
		if err != nil && m.opts.AuditID == "" {
			// The audit remembered from last time may have been deleted:
			// just start from the list.
			return nil
		}
		return auditLoadedMsg{snap: snap, target: target, err: err, id: auditID}
	}
}

func (m *Model) top() Component { return m.stack[len(m.stack)-1] }

// say sets the status line now; statuses decided earlier and still on
// their way are dropped.
func (m *Model) say(kind statusKind, text string) {
	m.status, m.statusKind, m.statusSeq = text, kind, nextStatusSeq()
}

// clearStatus empties the status line when the screen changes: a message
// belongs to the screen it was about.
func (m *Model) clearStatus() { m.say(statusInfo, "") }

func (m *Model) applyStyles() {
	m.ctx.Styles = NewStyles(m.isDark, m.noColor)
	m.help.Styles = help.DefaultStyles(m.isDark)
	// Bubbles' default greys are faint on both light and dark terminals:
	// keys in the foreground colour, descriptions a step softer.
	ld := lipgloss.LightDark(m.isDark)
	keyC, descC, sepC := ld(lipgloss.Color("#000000"), lipgloss.Color("#ffffff")),
		ld(lipgloss.Color("#3a3a3a"), lipgloss.Color("#d0d0d0")), ld(lipgloss.Color("#6c6c6c"), lipgloss.Color("#9e9e9e"))
	hs := &m.help.Styles
	hs.ShortKey, hs.FullKey = hs.ShortKey.Foreground(keyC).Bold(true), hs.FullKey.Foreground(keyC).Bold(true)
	hs.ShortDesc, hs.FullDesc = hs.ShortDesc.Foreground(descC), hs.FullDesc.Foreground(descC)
	hs.ShortSeparator, hs.FullSeparator, hs.Ellipsis = hs.ShortSeparator.Foreground(sepC), hs.FullSeparator.Foreground(sepC), hs.Ellipsis.Foreground(sepC)
	if m.noColor {
		m.help.Styles = help.Styles{
			ShortKey: lipgloss.NewStyle().Bold(true), ShortDesc: lipgloss.NewStyle(), ShortSeparator: lipgloss.NewStyle(),
			Ellipsis: lipgloss.NewStyle(), FullKey: lipgloss.NewStyle().Bold(true), FullDesc: lipgloss.NewStyle(),
			FullSeparator: lipgloss.NewStyle(),
		}
	}
}

func (m *Model) bodyHeight() int { return max(m.ctx.Height-3, 1) }

func (m *Model) resize() {
	m.help.SetWidth(m.ctx.Width)
	for _, p := range m.stack {
		p.SetSize(m.ctx.Width, m.bodyHeight())
	}
	if m.form != nil {
		m.form.form.WithWidth(formWidth(m.ctx.Width))
		m.form.form.Update(m.formSize())
	}
}

// formSize is the room a form has: the body minus its title.
func (m *Model) formSize() tea.WindowSizeMsg {
	return tea.WindowSizeMsg{Width: formWidth(m.ctx.Width), Height: max(m.bodyHeight()-2, 4)}
}

func formWidth(w int) int { return max(min(w-4, 90), 40) }

// Update routes messages: window and colour changes to everyone, keys to
// the form if one is open or else to the top page, store results to the open
// audit and then to the top page.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	// A bug handling one message must not end the session (over SSH, one
	// user's session): it is reported on the status line instead. Saves are
	// unaffected: they run in the save queue.
	defer func() {
		if r := recover(); r != nil {
			m.say(statusError, fmt.Sprintf("Errore interno (%v): l'ultima azione non è stata eseguita; le risposte salvate restano salvate.", r))
			cmd = nil
		}
	}()
	return m.update(msg)
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.applyStyles()
		if m.form != nil {
			m.form.form.Update(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		m.lastKey = m.ctx.Now()
		return m.handleKey(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		m.lastKey = m.ctx.Now()
		return m.handleMouse(msg)
	case accessibleDoneMsg:
		return m, m.accessibleDone(msg)
	case idleMsg:
		return m, m.checkIdle()
	case ShutdownMsg:
		return m, m.drainSaves("Il server si sta arrestando: sessione chiusa. Tutte le risposte sono salvate.")
	case savesDrainedMsg:
		m.quitting = msg.farewell
		if msg.failures > 0 {
			m.quitting = fmt.Sprintf("Attenzione: %d salvataggi non sono riusciti (le righe segnate ! sullo schermo); le altre risposte sono salvate.", msg.failures)
		}
		return m, tea.Sequence(m.saveUIStateCmd(), tea.Quit)
	case ChangedMsg:
		if m.ctx.Audit == nil || msg.AuditID != m.ctx.Audit.id() {
			return m, m.forwardTop(msg)
		}
		return m, m.reloadCmd(msg.Author)
	case statusMsg:
		// Statuses are ordered by when they were decided, not by when
		// their command ran: two quick keys must leave the second one's.
		if msg.seq >= m.statusSeq {
			m.status, m.statusKind, m.statusSeq = msg.text, msg.kind, msg.seq
		}
		return m, nil
	case pushMsg:
		cmd := m.pushPage(msg.page)
		if _, ok := msg.page.(locator); ok {
			cmd = tea.Batch(cmd, m.saveUIStateCmd())
		}
		return m, cmd
	case popMsg:
		cmd := m.popPage()
		if msg.status != nil {
			m.say(msg.status.kind, msg.status.text)
		}
		return m, cmd
	case formMsg:
		if m.opts.Accessible {
			return m, m.runAccessible(msg)
		}
		m.clearStatus() // the form is a screen of its own
		m.form = &msg
		msg.form.WithKeyMap(formKeys()).WithShowHelp(true).WithWidth(formWidth(m.ctx.Width)).
			WithTheme(m.formTheme())
		init := msg.form.Init()
		msg.form.Update(m.formSize())
		return m, init
	case auditLoadedMsg:
		return m, m.openAudit(msg)
	case auditReloadedMsg:
		if msg.err != nil {
			return m, setStatus(statusError, "Aggiornamento non riuscito: "+msg.err.Error())
		}
		if a := m.ctx.Audit; a != nil && msg.snap.Audit.ID == a.id() {
			changes := answerChanges(a.snap, msg.snap, a.pending)
			a.replace(msg.snap)
			if (msg.author != "" && msg.author != m.ctx.User) || len(changes) > 0 {
				m.say(statusInfo, reloadNote(msg.author, changes))
			}
		}
		return m, m.forwardTop(msg)
	case refreshMsg:
		return m, m.poll()
	case polledMsg:
		return m, m.polled(msg)
	case answerSavedMsg:
		m.applyAnswerSaved(msg)
		return m, tea.Batch(m.forwardTop(msg), m.saveUIStateCmd())
	case batchSavedMsg:
		m.applyBatchSaved(msg)
		return m, m.forwardTop(msg)
	case evaluationSavedMsg:
		if msg.err != nil {
			m.say(statusError, "Valutazione NON salvata: "+msg.err.Error())
		} else if m.ctx.Audit != nil && m.ctx.Audit.id() == msg.audit {
			m.ctx.Audit.applyEvaluation(msg.eval)
			m.say(statusOK, "Salvato: valutazione della sezione "+msg.eval.Section)
		}
		return m, m.forwardTop(msg)
	case auditUpdatedMsg:
		if msg.err != nil {
			m.say(statusError, "NON salvato: "+msg.err.Error())
		} else if m.ctx.Audit != nil && msg.audit.ID == m.ctx.Audit.id() {
			m.ctx.Audit.snap.Audit = msg.audit
			m.ctx.Audit.seen(msg.audit.UpdatedAt)
			m.ctx.Audit.version++
			m.say(statusOK, msg.done)
		}
		return m, m.forwardTop(msg)
	case actionSavedMsg:
		if msg.err != nil {
			m.say(statusError, "Piano d'azione NON salvato: "+msg.err.Error())
		} else if a := m.ctx.Audit; a != nil && a.id() == msg.audit {
			if a.snap.Actions == nil {
				a.snap.Actions = map[string]checklist.ActionPlan{}
			}
			a.snap.Actions[msg.plan.Item] = msg.plan
			a.version++
			m.say(statusOK, "Salvato: azione "+msg.plan.Item)
		}
		return m, m.forwardTop(msg)
	case overrideSavedMsg:
		o := msg.override
		if msg.err != nil {
			m.status, m.statusKind = "Probabilità e impatto NON salvati: "+msg.err.Error(), statusError
		} else if a := m.ctx.Audit; a != nil && a.id() == msg.audit {
			if a.snap.Overrides == nil {
				a.snap.Overrides = map[string]checklist.RiskOverride{}
			}
			if o.Probability == 0 && o.Impact == 0 {
				delete(a.snap.Overrides, o.Threat)
				m.status = "Salvato: " + o.Threat + " torna ai valori del catalogo"
			} else {
				a.snap.Overrides[o.Threat] = o
				m.status = fmt.Sprintf("Salvato: %s probabilità %d × impatto %d per questo audit", o.Threat, o.Probability, o.Impact)
			}
			a.version++
			m.statusKind = statusOK
		}
		return m, m.forwardTop(msg)
	case exportDoneMsg:
		if _, ok := m.top().(*exportPage); !ok {
			// The export page stays open while an export runs; should
			// it be gone anyway, the result still reaches the user.
			if msg.err != nil {
				m.say(statusError, "Esportazione non riuscita: "+msg.err.Error())
			} else {
				m.say(statusOK, fmt.Sprintf("Esportati %d file in %s", len(msg.paths), msg.dest))
			}
			return m, nil
		}
		return m, m.forwardTop(msg)
	case evidenceDoneMsg:
		return m, m.evidenceDone(msg)
	case uiStateSavedMsg:
		return m, nil
	case rememberMsg:
		if msg.seq != m.placeSeq {
			return m, nil
		}
		return m, m.saveUIStateCmd()
	}
	var cmds []tea.Cmd
	if m.form != nil {
		cmds = append(cmds, m.updateForm(msg))
	}
	cmds = append(cmds, m.forwardTop(msg))
	return m, tea.Batch(cmds...)
}

func (m *Model) formTheme() huh.Theme {
	if m.noColor {
		return huh.ThemeFunc(huh.ThemeBase)
	}
	return huh.ThemeFunc(huh.ThemeCharm)
}

func (m *Model) forwardTop(msg tea.Msg) tea.Cmd {
	i := len(m.stack) - 1
	p, cmd := m.stack[i].Update(msg)
	m.stack[i] = p
	return cmd
}

func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	f := m.form
	model, cmd := f.form.Update(msg)
	if form, ok := model.(*huh.Form); ok {
		f.form = form
	}
	cmd = m.settleForm(cmd, 0) // formsettle.go
	switch f.form.State {
	case huh.StateCompleted:
		m.form = nil
		return tea.Batch(cmd, f.submit())
	case huh.StateAborted:
		m.form = nil
		m.say(statusInfo, "Modifica annullata: nulla è stato salvato")
		return nil
	}
	return cmd
}

// clearer is a page with something to undo before esc goes back, such as
// an active search or filter; clear reports whether it undid anything.
type clearer interface{ clear() bool }

// capturer is a page that is reading text (a search box) and wants every
// key, including q and esc.
type capturer interface{ capturing() bool }

// helpKeeper is a capturing page on which ? still opens the help.
type helpKeeper interface{ keepsHelpKey() bool }

func (m *Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.ctx.Keys.Global
	if key.Matches(msg, g.Kill) {
		if m.form != nil && m.form.typed && !m.form.killAsked {
			// Typed text is never thrown away by one key.
			m.form.killAsked = true
			m.say(statusError, "Testo non salvato: ctrl+c di nuovo per uscire senza salvarlo, invio per salvarlo, esc per annullare")
			return m, nil
		}
		return m, m.quit()
	}
	if m.form != nil {
		m.form.killAsked = false
		if msg.Text != "" || msg.Code == tea.KeyBackspace || msg.Code == tea.KeyDelete {
			m.form.typed = true
		}
		return m, m.updateForm(msg)
	}
	if m.fullHelp {
		if key.Matches(msg, g.Help, g.Back, g.Quit) {
			m.fullHelp = false
		}
		return m, nil
	}
	if c, ok := m.top().(capturer); ok && c.capturing() {
		if hk, ok := m.top().(helpKeeper); !ok || !hk.keepsHelpKey() || !key.Matches(msg, g.Help) {
			return m, m.forwardTop(msg)
		}
	}
	switch {
	case key.Matches(msg, g.Help):
		m.fullHelp = true
		return m, nil
	case key.Matches(msg, g.Back):
		if c, ok := m.top().(clearer); ok && c.clear() {
			return m, nil
		}
		if len(m.stack) > 1 {
			return m, m.popPage()
		}
		return m, nil
	case key.Matches(msg, g.Quit):
		if len(m.stack) > 1 {
			return m, m.popPage()
		}
		return m, m.quit()
	}
	if m.ctx.Width < MinWidth || m.ctx.Height < MinHeight {
		return m, nil
	}
	return m, tea.Batch(m.forwardTop(msg), m.rememberPlace())
}

// uiStateDelay is how long the cursor must rest on an item before the
// place is saved: saving on every arrow key would mean a disk commit per
// key, while a session cut off (SSH drop) loses at most this much.
const uiStateDelay = 2 * time.Second

type rememberMsg struct{ seq int }

// rememberPlace schedules saving the place when the cursor has moved.
func (m *Model) rememberPlace() tea.Cmd {
	l, ok := m.top().(locator)
	if !ok {
		return nil
	}
	scope, item := l.location()
	place := scope + "\x00" + item
	if place == m.place {
		return nil
	}
	m.place = place
	m.placeSeq++
	seq := m.placeSeq
	return tea.Tick(uiStateDelay, func(time.Time) tea.Msg { return rememberMsg{seq} })
}

func (m *Model) quit() tea.Cmd {
	return m.drainSaves("Arrivederci: tutte le risposte sono salvate.")
}

func (m *Model) checkIdle() tea.Cmd {
	timeout := m.opts.IdleTimeout
	if timeout <= 0 {
		return nil
	}
	idle := m.ctx.Now().Sub(m.lastKey)
	if idle >= timeout {
		return m.drainSaves(fmt.Sprintf("Sessione chiusa dopo %s senza attività. Tutte le risposte sono salvate.", timeout))
	}
	return m.idleAfter(timeout - idle)
}

func (m *Model) pushPage(p Component) tea.Cmd {
	p.SetSize(m.ctx.Width, m.bodyHeight())
	m.stack = append(m.stack, p)
	m.fullHelp = false
	m.clearStatus()
	return p.Init()
}

// focuser is a page that refreshes when it becomes the top page again.
type focuser interface{ focus() tea.Cmd }

func (m *Model) popPage() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.clearStatus()
	if _, onHome := m.top().(*homePage); onHome {
		m.ctx.Audit = nil
	}
	// The remembered place stays the deepest one the user reached: going
	// back to the list and quitting still reopens the last item worked on.
	if f, ok := m.top().(focuser); ok {
		return f.focus()
	}
	return nil
}

// openAudit shows a loaded audit: its overview and, when reopening where
// the user left, the checklist of the scope and item they were on.
func (m *Model) openAudit(msg auditLoadedMsg) tea.Cmd {
	if msg.err != nil {
		return setStatus(statusError, fmt.Sprintf("Impossibile aprire l'audit %s: %v", msg.id, msg.err))
	}
	m.stack = m.stack[:1]
	m.ctx.Audit = newAuditSession(msg.snap)
	m.clearStatus()
	ov := newOverviewPage(m.ctx)
	cmds := []tea.Cmd{m.pushPage(ov)}
	if msg.target.scope != "" {
		if sc, err := checklist.ParseScope(msg.target.scope); err == nil && msg.snap.Audit.HasScope(sc) {
			ov.selectScope(sc)
			cmds = append(cmds, m.pushPage(newChecklistPage(m.ctx, sc, msg.target.item)))
		}
	}
	// One save, after both pages are in place: batched saves could land in
	// any order.
	cmds = append(cmds, m.saveUIStateCmd())
	return tea.Batch(cmds...)
}

func (m *Model) reloadCmd(author string) tea.Cmd {
	store, id := m.ctx.Store, m.ctx.Audit.id()
	return func() tea.Msg {
		snap, err := store.Load(id)
		return auditReloadedMsg{snap: snap, author: author, err: err}
	}
}

func (m *Model) applyAnswerSaved(msg answerSavedMsg) {
	a := m.ctx.Audit
	if a == nil || a.id() != msg.audit {
		// The user has left the audit meanwhile: the store has it, and
		// the next load will show it.
		if msg.err != nil {
			m.say(statusError, fmt.Sprintf("NON salvato %s (%s): %v", msg.ref.item, msg.ref.scope.Label(), msg.err))
		}
		return
	}
	// Saves of one answer commit in the order they were given, but their
	// results can arrive here in any order: an older result must not
	// replace a newer one on screen, and the value still being saved
	// stays shown as such until its own result arrives.
	if msg.seq != 0 {
		if msg.seq < a.lastApplied[msg.ref] {
			return
		}
		a.lastApplied[msg.ref] = msg.seq
	}
	newest := msg.seq == 0 || msg.seq >= a.lastSent[msg.ref]
	inFlight, hasInFlight := a.pending[msg.ref]
	if msg.err != nil {
		if newest {
			delete(a.pending, msg.ref)
			if !msg.noteOp {
				a.failed[msg.ref] = msg.value
			}
		}
		a.version++
		m.say(statusError, fmt.Sprintf("NON salvato %s (%s): %v", msg.ref.item, msg.ref.scope.Label(), msg.err))
		return
	}
	if msg.res.Answer.Rev != 0 && (msg.res.Previous == nil || msg.res.Previous.Rev != msg.res.Answer.Rev) {
		a.recordHistory(msg.res.Previous, msg.res.Answer, "")
	}
	a.applyAnswer(msg.res.Answer)
	a.seen(msg.res.Answer.At)
	if !newest && hasInFlight {
		a.pending[msg.ref] = inFlight
	}
	if a.snap.Audit.Status == checklist.StatusDraft && msg.res.Answer.Value != "" {
		// The store moved the audit to in corso with its first answer.
		a.snap.Audit.Status = checklist.StatusInProgress
	}
	what := "risposta"
	if msg.noteOp {
		what = "nota"
	}
	m.say(statusOK, fmt.Sprintf("Salvato: %s %s (%s)", what, msg.ref.item, msg.ref.scope.Label()))
	if msg.done != "" {
		m.say(statusOK, msg.done)
	}
	if msg.res.Conflict {
		prev := "un'altra sessione"
		if msg.res.Previous != nil && msg.res.Previous.Author != "" {
			prev = msg.res.Previous.Author
		}
		m.say(statusError, fmt.Sprintf("Salvato %s, ma %s aveva appena cambiato questa voce: la modifica precedente resta nello storico", msg.ref.item, prev))
	}
}

// locator is a page that knows which scope and item the user is on.
type locator interface{ location() (scope, item string) }

// saveUIStateCmd remembers the open audit and the scope and item of the
// topmost checklist. With no audit open it saves nothing: the last place
// worked on stays remembered.
func (m *Model) saveUIStateCmd() tea.Cmd {
	if m.ctx.Audit == nil {
		return nil
	}
	st := checklist.UIState{Audit: m.ctx.Audit.id()}
	for i := len(m.stack) - 1; i >= 0; i-- {
		if l, ok := m.stack[i].(locator); ok {
			st.Scope, st.Item = l.location()
			break
		}
	}
	store, user := m.ctx.Store, m.ctx.User
	return func() tea.Msg {
		return uiStateSavedMsg{err: store.SaveUIState(user, st)}
	}
}

// View draws the header, the top page (or the form, or the full help), the
// status line and the short help.
func (m *Model) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			v = tea.NewView(fmt.Sprintf("Errore interno nel disegnare la schermata (%v).\nLe risposte salvate restano salvate: premere esc per tornare indietro, ctrl+c per uscire.\n", r))
			v.AltScreen = true
		}
	}()
	v = tea.NewView(m.render())
	v.AltScreen = true
	// Clicks and the wheel (mouse.go); shift+drag still selects text in
	// most terminals.
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "cieaudit"
	return v
}

func (m *Model) render() string {
	w, h := m.ctx.Width, m.ctx.Height
	if m.quitting != "" {
		return m.quitting + "\n"
	}
	if w < MinWidth || h < MinHeight {
		msg := fmt.Sprintf("Finestra troppo piccola (%d×%d): servono almeno %d×%d caratteri.\nIngrandire il terminale oppure premere ctrl+c per uscire.", w, h, MinWidth, MinHeight)
		return fit(ansi.Wrap(msg, max(w, 10), ""), w, h)
	}
	st := m.ctx.Styles
	body := ""
	switch {
	case m.fullHelp:
		body = st.Title.Render("Tasti — "+m.top().Title()) + "\n\n" + m.help.FullHelpView(m.fullHelpGroups())
	case m.form != nil:
		body = st.Title.Render(m.form.title) + "\n\n" + m.form.form.View()
	default:
		body = m.top().View()
	}
	// A long status (a conflict, what another process changed) takes a
	// second line from the bottom of the page rather than being cut.
	status, statusH := m.statusLine(), 1
	if ansi.StringWidth(status) > w {
		status, statusH = ansi.Wrap(status, w, ""), 2
	}
	parts := []string{
		m.header(),
		fit(body, w, m.bodyHeight()-(statusH-1)),
		fit(status, w, statusH),
		fit(m.help.ShortHelpView(m.shortHelp()), w, 1),
	}
	return strings.Join(parts, "\n")
}

func (m *Model) header() string {
	st := m.ctx.Styles
	var crumbs []string
	for _, p := range m.stack {
		crumbs = append(crumbs, p.Title())
	}
	left := " " + strings.Join(crumbs, " › ")
	right := fmt.Sprintf("%s (%s) ", m.ctx.User, m.ctx.Role.Label())
	space := m.ctx.Width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if space < 1 {
		left = ansi.Truncate(left, max(m.ctx.Width-ansi.StringWidth(right)-1, 0), "…")
		space = m.ctx.Width - ansi.StringWidth(left) - ansi.StringWidth(right)
	}
	return st.Header.Render(left+strings.Repeat(" ", max(space, 0))) + st.HeaderUser.Render(right)
}

func (m *Model) statusLine() string {
	st := m.ctx.Styles
	if m.status == "" {
		return ""
	}
	switch m.statusKind {
	case statusOK:
		return st.StatusOK.Render("✓ " + m.status)
	case statusError:
		return st.StatusError.Render("✗ " + m.status)
	}
	return st.StatusInfo.Render("• " + m.status)
}

func (m *Model) shortHelp() []key.Binding {
	g := m.ctx.Keys.Global
	if m.form != nil {
		return []key.Binding{
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "annulla senza salvare")),
			g.Kill,
		}
	}
	if m.fullHelp {
		return []key.Binding{g.Help, g.Back}
	}
	if c, ok := m.top().(capturer); ok && c.capturing() {
		// Typing: ? and q are text, only the page's own keys apply.
		return m.top().ShortHelp()
	}
	// Help first: on a narrow window the tail of the line is cut.
	return append(append([]key.Binding{g.Help}, m.top().ShortHelp()...), g.Quit)
}

func (m *Model) fullHelpGroups() [][]key.Binding {
	g := m.ctx.Keys.Global
	groups := m.top().FullHelp()
	global := []key.Binding{g.Help, g.Back, g.Quit, g.Kill}
	if n := len(groups); n >= 3 {
		// A fourth column would not fit 80 columns: under the last one.
		last := append(slices.Clone(groups[n-1]), key.NewBinding(key.WithHelp("", "")))
		return append(groups[:n-1:n-1], append(last, global...))
	}
	return append(groups, global)
}

// fit makes s exactly h lines of at most w cells, so that pages can never
// push the status line off the screen.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		// A line never has more cells than bytes: skip measuring short ones.
		if len(l) > w && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

package tui

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cieaudit/cieaudit/checklist"
)

// accessLogLimit is how many of the newest entries the page shows; the
// whole log is available with cieaudit log.
const accessLogLimit = 500

// accessLogPage shows the SSH access log to admins: who came in, with which
// key, from where, when and for how long, and the refused attempts with the
// reason. Newest first; it is read again every time it is opened.
type accessLogPage struct {
	ctx     *Context
	keys    AccessLogKeys
	w, h    int
	entries []checklist.AccessEntry // newest first
	loaded  bool
	err     error
	cursor  int
	offset  int
}

type accessLogLoadedMsg struct {
	entries []checklist.AccessEntry
	err     error
}

func newAccessLogPage(ctx *Context) *accessLogPage {
	return &accessLogPage{ctx: ctx, keys: ctx.Keys.AccessLog}
}

func (p *accessLogPage) Title() string    { return "Registro accessi" }
func (p *accessLogPage) SetSize(w, h int) { p.w, p.h = w, h }
func (p *accessLogPage) Init() tea.Cmd    { return p.load() }

func (p *accessLogPage) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Reload, p.ctx.Keys.Global.Back}
}

func (p *accessLogPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Reload}}
}

func (p *accessLogPage) load() tea.Cmd {
	store := p.ctx.Store
	return func() tea.Msg {
		entries, err := store.AccessLog(accessLogLimit)
		slices.Reverse(entries)
		return accessLogLoadedMsg{entries: entries, err: err}
	}
}

func (p *accessLogPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case accessLogLoadedMsg:
		p.loaded, p.err = true, msg.err
		if msg.err != nil {
			return p, setStatus(statusError, "Impossibile leggere il registro degli accessi: "+msg.err.Error())
		}
		p.entries = msg.entries
		p.cursor = max(min(p.cursor, len(p.entries)-1), 0)
		return p, nil
	case tea.KeyPressMsg:
		var moved bool
		if p.cursor, moved = navigate(p.keys.NavKeys, msg, p.cursor, len(p.entries), p.listHeight()); !moved && key.Matches(msg, p.keys.Reload) {
			return p, p.load()
		}
	}
	return p, nil
}

// detailLines is the room kept under the table for the selected entry.
const detailLines = 3

// listHeight is the number of table rows: the page minus the title, the
// header, the counter and the detail of the selected entry.
func (p *accessLogPage) listHeight() int { return max(p.h-4-1-detailLines, 1) }

// accessColumns are the widths of the table columns for a page w cells wide;
// the outcome takes what is left.
type accessColumns struct {
	when, user, key, addr, dur, outcome int
	timeFormat                          string
}

func accessLogColumns(w int) accessColumns {
	c := accessColumns{when: 14, user: 12, key: 9, addr: 15, dur: 8, timeFormat: "02/01/06 15:04"}
	if w >= 100 {
		c.when, c.user, c.key, c.addr, c.timeFormat = 16, 14, 13, 21, "02/01/2006 15:04"
	}
	fixed := 2 + c.when + c.user + c.key + c.addr + c.dur + 5
	c.outcome = max(w-fixed, 10)
	return c
}

// shortFingerprint keeps the first characters of a key fingerprint, without
// the "SHA256:" prefix: enough to tell keys apart at a glance. The detail
// under the table shows it whole.
func shortFingerprint(fp string, w int) string {
	if fp == "" {
		return "-"
	}
	fp = strings.TrimPrefix(fp, "SHA256:")
	if len(fp) <= w {
		return fp
	}
	return fp[:w-1] + "…"
}

// remoteHost is the address without the client's port, which is noise in
// the table.
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return orDash(remote)
}

func accessDuration(e checklist.AccessEntry) string {
	switch {
	case !e.Ended.IsZero():
		return time.Duration(e.DurationSeconds * float64(time.Second)).Round(time.Second).String()
	case e.Accepted:
		return "in corso"
	}
	return "-"
}

func accessOutcome(e checklist.AccessEntry) string {
	if !e.Accepted {
		if e.Reason == "" {
			return "rifiutato"
		}
		return "rifiutato: " + e.Reason
	}
	if e.Session == "" {
		return "accesso"
	}
	return "accesso (" + e.Session + ")"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (p *accessLogPage) View() string {
	st := p.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Registro degli accessi al server SSH") + "\n\n")
	switch {
	case !p.loaded:
		b.WriteString(st.Muted.Render("Caricamento…"))
		return b.String()
	case p.err != nil:
		b.WriteString(st.StatusError.Render(wrap("Impossibile leggere il registro degli accessi: "+p.err.Error(), p.w)))
		return b.String()
	case len(p.entries) == 0:
		b.WriteString("Registro accessi vuoto: nessun accesso né tentativo registrato.")
		return b.String()
	}
	c := accessLogColumns(p.w)
	header := "  " + pad("Data/ora", c.when) + " " + pad("Utente", c.user) + " " + pad("Chiave", c.key) + " " +
		pad("Indirizzo", c.addr) + " " + pad("Durata", c.dur) + " " + "Esito"
	b.WriteString(st.Label.Render(header) + "\n")
	h := p.listHeight()
	p.offset = scrollWindow(p.offset, p.cursor, h, len(p.entries))
	for i := p.offset; i < p.offset+h; i++ {
		if i >= len(p.entries) {
			b.WriteString("\n")
			continue
		}
		e := p.entries[i].Clean()
		row := pad(e.At.Local().Format(c.timeFormat), c.when) + " " + pad(orDash(e.User), c.user) + " " +
			pad(shortFingerprint(e.Fingerprint, c.key), c.key) + " " + pad(remoteHost(e.Remote), c.addr) + " " +
			pad(accessDuration(e), c.dur) + " " + pad(accessOutcome(e), c.outcome)
		switch {
		case i == p.cursor:
			b.WriteString(st.Cursor.Render("▸ ") + st.Selected.Render(row) + "\n")
		case !e.Accepted:
			b.WriteString("  " + st.No.Render(row) + "\n")
		default:
			b.WriteString("  " + row + "\n")
		}
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("  %d di %d voci, dalla più recente", p.cursor+1, len(p.entries))) + "\n")
	b.WriteString(p.detail(p.entries[p.cursor]))
	return b.String()
}

// detail shows the selected entry in full: the table cuts long reasons,
// addresses and fingerprints.
func (p *accessLogPage) detail(e checklist.AccessEntry) string {
	e = e.Clean()
	when := e.At.Local().Format("02/01/2006 15:04:05")
	if !e.Ended.IsZero() {
		when += " – " + e.Ended.Local().Format("15:04:05")
	}
	user := e.User
	if user == "" {
		user = "utente sconosciuto"
	}
	lines := []string{when + "  " + user + " da " + orDash(e.Remote) + "  chiave " + orDash(e.Fingerprint)}
	outcome := accessOutcome(e)
	lines = append(lines, strings.Split(wrap(strings.ToUpper(outcome[:1])+outcome[1:], max(p.w-2, 10)), "\n")...)
	if len(lines) > detailLines {
		lines = lines[:detailLines]
	}
	// Styled line by line, each cut to the page: a block would be padded
	// to its widest line and then cut with an ellipsis on every line.
	for i, l := range lines {
		lines[i] = p.ctx.Styles.Muted.Render(ansi.Truncate("  "+l, p.w, "…"))
	}
	return strings.Join(lines, "\n")
}

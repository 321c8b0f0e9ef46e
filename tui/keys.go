package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"
)

// All key bindings live here, one KeyMap per page plus the global keys, so
// that help, tests and documentation agree on what every key does.

func bind(keys []string, helpKey, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
}

// short is b with a shorter description, for a footer that must fit 80
// columns; the full help (?) keeps the long one.
func short(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

// GlobalKeys work on every page.
type GlobalKeys struct {
	Help key.Binding
	Back key.Binding
	Quit key.Binding
	Kill key.Binding
}

func newGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Help: bind([]string{"?"}, "?", "aiuto"),
		Back: bind([]string{"esc"}, "esc", "indietro"),
		Quit: bind([]string{"q"}, "q", "indietro/esci"),
		Kill: bind([]string{"ctrl+c"}, "ctrl+c", "esci"),
	}
}

// NavKeys move a cursor in a list.
type NavKeys struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding
	Open     key.Binding
}

func newNavKeys() NavKeys {
	return NavKeys{
		Up:       bind([]string{"up", "k"}, "↑/k", "su"),
		Down:     bind([]string{"down", "j"}, "↓/j", "giù"),
		PageUp:   bind([]string{"pgup", "ctrl+u"}, "pag↑", "pagina su"),
		PageDown: bind([]string{"pgdown", "ctrl+d"}, "pag↓", "pagina giù"),
		Home:     bind([]string{"home", "g"}, "g", "inizio"),
		End:      bind([]string{"end", "G"}, "G", "fine"),
		Open:     bind([]string{"enter"}, "invio", "apri"),
	}
}

// HomeKeys are the keys of the audit list.
type HomeKeys struct {
	NavKeys
	New       key.Binding
	Demo      key.Binding
	Reload    key.Binding
	AccessLog key.Binding
	// FromPrevious starts next year's audit from the selected one.
	FromPrevious key.Binding
	// Diff compares the selected audit with its predecessor.
	Diff key.Binding
}

func newHomeKeys() HomeKeys {
	return HomeKeys{
		NavKeys:      newNavKeys(),
		New:          bind([]string{"n"}, "n", "nuovo audit"),
		Demo:         bind([]string{"d"}, "d", "audit dimostrativo"),
		Reload:       bind([]string{"ctrl+r"}, "ctrl+r", "ricarica"),
		AccessLog:    bind([]string{"L"}, "L", "registro accessi"),
		FromPrevious: bind([]string{"r"}, "r", "nuovo audit dall'anno prima"),
		Diff:         bind([]string{"D"}, "D", "confronto con l'audit precedente"),
	}
}

// AccessLogKeys are the keys of the access log (admins only).
type AccessLogKeys struct {
	NavKeys
	Reload key.Binding
}

func newAccessLogKeys() AccessLogKeys {
	return AccessLogKeys{
		NavKeys: newNavKeys(),
		Reload:  bind([]string{"ctrl+r"}, "ctrl+r", "ricarica"),
	}
}

// OverviewKeys are the keys of the audit overview.
type OverviewKeys struct {
	NavKeys
	EditEnte      key.Binding
	NewSede       key.Binding
	NewPostazione key.Binding
	EditScope     key.Binding
	RenameScope   key.Binding
	RemoveScope   key.Binding
	Close         key.Binding
	Risk          key.Binding
	Export        key.Binding
	Cycle         key.Binding
}

func newOverviewKeys() OverviewKeys {
	return OverviewKeys{
		NavKeys:       newNavKeys(),
		EditEnte:      bind([]string{"a"}, "a", "dati ente"),
		NewSede:       bind([]string{"S"}, "S", "nuova sede"),
		NewPostazione: bind([]string{"P"}, "P", "nuova postazione"),
		EditScope:     bind([]string{"m"}, "m", "modifica sede/postazione"),
		RenameScope:   bind([]string{"N"}, "N", "rinomina sede/postazione"),
		RemoveScope:   bind([]string{"D"}, "D", "rimuovi sede/postazione"),
		Close:         bind([]string{"c"}, "c", "chiudi/riapri audit"),
		Risk:          bind([]string{"r"}, "r", "rischi"),
		Export:        bind([]string{"E"}, "E", "esporta"),
		Cycle:         bind([]string{"p"}, "p", "piano e registri"),
	}
}

// ChecklistKeys are the keys of one scope's checklist.
type ChecklistKeys struct {
	NavKeys
	Yes     key.Binding
	No      key.Binding
	Partial key.Binding
	// YesNote, NoNote and PartialNote answer and ask for the note at once.
	YesNote     key.Binding
	NoNote      key.Binding
	PartialNote key.Binding
	NA          key.Binding
	Note        key.Binding
	Unanswered  key.Binding
	Inherited   key.Binding
	Clear       key.Binding
	Undo        key.Binding
	History     key.Binding
	DetailDown  key.Binding
	DetailUp    key.Binding
	Copy        key.Binding
	Bulk        key.Binding
	Filter      key.Binding
	// Confirm keeps a carried answer (audit new --from) as it was.
	Confirm    key.Binding
	Search     key.Binding
	Evaluation key.Binding
	// Evidence opens the files attached to the item (evidence.go).
	Evidence key.Binding
}

func newChecklistKeys() ChecklistKeys {
	nav := newNavKeys()
	nav.Open = bind([]string{"enter"}, "invio", "valore, nota o vai")
	return ChecklistKeys{
		NavKeys:     nav,
		Yes:         bind([]string{"s"}, "s", "sì"),
		No:          bind([]string{"n"}, "n", "no"),
		Partial:     bind([]string{"p"}, "p", "parziale"),
		YesNote:     bind([]string{"S"}, "S", "sì con nota"),
		NoNote:      bind([]string{"N"}, "N", "no con nota"),
		PartialNote: bind([]string{"P"}, "P", "parziale con nota"),
		NA:          bind([]string{"x", "X"}, "x", "non applicabile"),
		Note:        bind([]string{"e"}, "e", "nota"),
		Unanswered:  bind([]string{"u"}, "u", "da verificare"),
		Inherited:   bind([]string{"i"}, "i", "ereditate"),
		Clear:       bind([]string{"0"}, "0", "azzera"),
		Undo:        bind([]string{"z", "ctrl+z"}, "z", "annulla modifica"),
		History:     bind([]string{"h"}, "h", "storico della voce"),
		DetailDown:  bind([]string{"]"}, "]", "scorri dettaglio"),
		DetailUp:    bind([]string{"["}, "[", "risali dettaglio"),
		Copy:        bind([]string{"c"}, "c", "copia da altro ambito"),
		Bulk:        bind([]string{"b"}, "b", "risposta in blocco"),
		Filter:      bind([]string{"f"}, "f", "filtro"),
		Confirm:     bind([]string{"y"}, "y", "conferma anno prima"),
		Search:      bind([]string{"/"}, "/", "cerca"),
		Evaluation:  bind([]string{"v"}, "v", "valutazione"),
		Evidence:    bind([]string{"a"}, "a", "allegati della voce"),
	}
}

// EvidenceKeys are the keys of one item's evidence list.
type EvidenceKeys struct {
	NavKeys
	Add    key.Binding
	Remove key.Binding
}

func newEvidenceKeys() EvidenceKeys {
	return EvidenceKeys{
		NavKeys: newNavKeys(),
		Add:     bind([]string{"a"}, "a", "aggiungi file"),
		Remove:  bind([]string{"D", "delete"}, "D", "togli allegato"),
	}
}

// CloseKeys are the keys of the close/reopen page.
type CloseKeys struct {
	Sign   key.Binding
	Reopen key.Binding
}

func newCloseKeys() CloseKeys {
	return CloseKeys{
		Sign:   bind([]string{"enter"}, "invio", "firma e chiudi"),
		Reopen: bind([]string{"R"}, "R", "riapri con motivazione"),
	}
}

// RiskKeys are the keys of the risk page.
type RiskKeys struct {
	NavKeys
	Switch   key.Binding
	Edit     key.Binding
	Override key.Binding
}

func newRiskKeys() RiskKeys {
	nav := newNavKeys()
	return RiskKeys{
		NavKeys: nav,
		Switch:  bind([]string{"tab"}, "tab", "rischi/azioni"),
		Edit:    bind([]string{"enter"}, "invio", "modifica azione"),
		// On the risks tab: the selected threat's probability and impact
		// for this audit.
		Override: bind([]string{"enter"}, "invio", "probabilità e impatto"),
	}
}

// Keys is the whole key map of the TUI.
type Keys struct {
	Global    GlobalKeys
	Home      HomeKeys
	Overview  OverviewKeys
	Checklist ChecklistKeys
	Close     CloseKeys
	Risk      RiskKeys
	AccessLog AccessLogKeys
	Evidence  EvidenceKeys
}

// DefaultKeys returns the key map.
func DefaultKeys() Keys {
	return Keys{
		Global:    newGlobalKeys(),
		Home:      newHomeKeys(),
		Overview:  newOverviewKeys(),
		Checklist: newChecklistKeys(),
		Close:     newCloseKeys(),
		Risk:      newRiskKeys(),
		AccessLog: newAccessLogKeys(),
		Evidence:  newEvidenceKeys(),
	}
}

// formKeys is huh's key map with Italian help, esc to cancel (ctrl+c stays
// the TUI's quit) and no external editor: over SSH it would run on the
// server.
func formKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	k.Quit = bind([]string{"esc"}, "esc", "annulla")
	relabel := func(b *key.Binding, desc string) {
		b.SetHelp(strings.ReplaceAll(b.Help().Key, "enter", "invio"), desc)
	}
	relabel(&k.Input.Prev, "indietro")
	relabel(&k.Input.Next, "avanti")
	relabel(&k.Input.Submit, "conferma")
	k.Input.AcceptSuggestion.SetEnabled(false)
	relabel(&k.Text.Prev, "indietro")
	relabel(&k.Text.Next, "avanti")
	relabel(&k.Text.Submit, "conferma")
	k.Text.NewLine.SetHelp("alt+invio / ctrl+j", "a capo")
	k.Text.Editor.SetEnabled(false)
	relabel(&k.Select.Prev, "indietro")
	relabel(&k.Select.Next, "scegli")
	relabel(&k.Select.Submit, "conferma")
	relabel(&k.Select.Up, "su")
	relabel(&k.Select.Down, "giù")
	relabel(&k.Select.Filter, "filtra")
	relabel(&k.Select.SetFilter, "applica filtro")
	relabel(&k.Select.ClearFilter, "togli filtro")
	relabel(&k.Select.HalfPageUp, "½ pagina su")
	relabel(&k.Select.HalfPageDown, "½ pagina giù")
	relabel(&k.Select.GotoTop, "inizio")
	relabel(&k.Select.GotoBottom, "fine")
	relabel(&k.Note.Prev, "indietro")
	relabel(&k.Note.Next, "avanti")
	relabel(&k.Note.Submit, "conferma")
	relabel(&k.Confirm.Prev, "indietro")
	relabel(&k.Confirm.Next, "avanti")
	relabel(&k.Confirm.Submit, "conferma")
	relabel(&k.Confirm.Toggle, "cambia")
	// s for sì; y too, since huh's confirm field writes "y" in its own
	// help whatever the keys are.
	k.Confirm.Accept.SetHelp("s", "Sì")
	k.Confirm.Accept.SetKeys("s", "S", "y", "Y")
	return k
}

// newText is a huh multi-line field without the external editor (ctrl+e),
// which over SSH would start on the server.
func newText() *huh.Text { return huh.NewText().ExternalEditor(false) }

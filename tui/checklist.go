package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// filterMode narrows the checklist.
type filterMode int

const (
	filterAll filterMode = iota
	filterUnanswered
	filterNonConforming
	// filterCarried shows the answers carried from last year's audit not
	// re-verified yet; offered only in a carried audit.
	filterCarried
)

func (f filterMode) label() string {
	switch f {
	case filterUnanswered:
		return "non risposte"
	case filterNonConforming:
		return "non conformi"
	case filterCarried:
		return "da riverificare (risposte dell'audit precedente)"
	}
	return "tutte"
}

// checklistPage is the checklist of one scope: its own items and the ones
// it inherits from its sede and the ente, grouped by category and section.
type checklistPage struct {
	ctx   *Context
	keys  ChecklistKeys
	w, h  int
	scope checklist.Scope

	items   []*checklist.Item // applicable items, grouped
	visible []*checklist.Item // after filter and search
	built   int               // session version the rows were built from
	cursor  int
	curID   string
	offset  int

	filter    filterMode
	search    textinput.Model
	searching bool
	// folded caches each item's searchable text, folded.
	folded map[string]string
	// inherited shows the items answered at the sede or the ente too; by
	// default a sede's or a postazione's checklist lists only its own.
	inherited bool
	// showHistory shows the item's history in the detail pane;
	// detailOff scrolls the detail of the item under the cursor.
	showHistory bool
	detailOff   int

	// Form drafts: huh binds to these while a form is open.
	noteDraft, valueDraft, evalDraft string
}

func newChecklistPage(ctx *Context, scope checklist.Scope, itemID string) *checklistPage {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "cerca in codice, testo, guida e note (senza badare ad accenti e maiuscole)"
	p := &checklistPage{ctx: ctx, keys: ctx.Keys.Checklist, scope: scope, curID: itemID, search: ti, built: -1}
	p.items = groupItems(ctx.Audit.snap.ApplicableItems(scope))
	if it := ctx.Audit.snap.Catalogue.Item(itemID); it != nil && !p.own(it) {
		// Reopening on an inherited item: show it.
		p.inherited = true
	}
	p.rebuild()
	if itemID == "" && len(p.visible) > 0 {
		// Start where the work is: the first item of this scope still
		// to verify, else the first item.
		p.move(0)
		p.nextUnanswered()
	}
	return p
}

// groupItems orders items by category, keeping catalogue order inside each.
func groupItems(items []*checklist.Item) []*checklist.Item {
	out := slices.Clone(items)
	rank := func(c checklist.Category) int {
		if i := slices.Index(checklist.Categories, c); i >= 0 {
			return i
		}
		return len(checklist.Categories)
	}
	slices.SortStableFunc(out, func(a, b *checklist.Item) int { return rank(a.Category) - rank(b.Category) })
	return out
}

func (p *checklistPage) Title() string { return p.scope.Label() }
func (p *checklistPage) SetSize(w, h int) {
	p.w, p.h = w, h
	p.search.SetWidth(max(w-20, 10))
}
func (p *checklistPage) Init() tea.Cmd   { return nil }
func (p *checklistPage) capturing() bool { return p.searching }
func (p *checklistPage) location() (string, string) {
	return p.scope.String(), p.curID
}

func (p *checklistPage) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Yes, k.No, k.Partial, short(k.NA, "non appl."), k.Unanswered, k.Inherited, k.Clear,
		short(k.Undo, "annulla"), short(k.History, "storico"), k.Note, k.Filter, k.Search}
}

func (p *checklistPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Unanswered, k.Inherited, k.Filter, k.Search},
		{k.Yes, k.No, k.Partial, k.YesNote, k.NoNote, k.PartialNote, k.NA, k.Clear, k.Undo},
		{k.Open, k.Note, k.Evaluation, k.History, k.DetailDown, k.DetailUp, k.Evidence, k.Copy, k.Bulk, k.Confirm},
	}
}

// effective is what the screen shows for an item: the value being saved,
// the value that failed to save, or the committed answer, following
// inheritance. at is the scope the answer belongs to.
func (p *checklistPage) effective(it *checklist.Item) (value string, at checklist.Scope, state answerState) {
	sess := p.ctx.Audit
	at, ok := sess.snap.AnsweringScope(p.scope, it)
	if !ok {
		return "", p.scope, stateNone
	}
	ref := answerRef{at, it.ID}
	if v, ok := sess.pending[ref]; ok {
		return v, at, statePending
	}
	if v, ok := sess.failed[ref]; ok {
		return v, at, stateFailed
	}
	if a, ok := sess.snap.Answer(at, it.ID); ok {
		return a.Value, at, stateSaved
	}
	return "", at, stateNone
}

type answerState int

const (
	stateNone answerState = iota
	stateSaved
	statePending
	stateFailed
)

// searchText is the folded catalogue text of it that search looks in: code,
// title, question and guidance (the note is added per answer).
func (p *checklistPage) searchText(it *checklist.Item) string {
	if t, ok := p.folded[it.ID]; ok {
		return t
	}
	if p.folded == nil {
		p.folded = map[string]string{}
	}
	t := checklist.FoldSearch(it.ID + " " + it.Title() + " " + it.Question + " " + it.Guidance)
	p.folded[it.ID] = t
	return t
}

// own reports whether it is answered at this page's scope (not inherited).
func (p *checklistPage) own(it *checklist.Item) bool {
	at, ok := p.ctx.Audit.snap.AnsweringScope(p.scope, it)
	return ok && at == p.scope
}

func (p *checklistPage) matches(it *checklist.Item) bool {
	value, at, _ := p.effective(it)
	if !p.inherited && at != p.scope {
		return false
	}
	switch p.filter {
	case filterUnanswered:
		if value != "" {
			return false
		}
	case filterNonConforming:
		o := checklist.Answer{Value: value}.Outcome(it)
		if o != checklist.OutcomeNo && o != checklist.OutcomePartial {
			return false
		}
	case filterCarried:
		if _, waiting := p.ctx.Audit.snap.CarriedAnswer(at, it.ID); !waiting || value != "" {
			return false
		}
	}
	if q := strings.TrimSpace(p.search.Value()); q != "" {
		hay := p.searchText(it)
		if a, ok := p.ctx.Audit.snap.Answer(at, it.ID); ok && a.Note != "" {
			hay += " " + checklist.FoldSearch(a.Note)
		}
		if !checklist.SearchMatches(hay, q) {
			return false
		}
	}
	return true
}

// rebuild recomputes the visible items, keeping the cursor on the same
// item when it is still visible.
func (p *checklistPage) rebuild() {
	p.built = p.ctx.Audit.version
	p.visible = p.visible[:0]
	for _, it := range p.items {
		if p.matches(it) {
			p.visible = append(p.visible, it)
		}
	}
	if i := slices.IndexFunc(p.visible, func(it *checklist.Item) bool { return it.ID == p.curID }); i >= 0 {
		p.cursor = i
	} else {
		p.cursor = max(min(p.cursor, len(p.visible)-1), 0)
	}
	p.syncCur()
}

func (p *checklistPage) syncCur() {
	if len(p.visible) > 0 {
		if id := p.visible[p.cursor].ID; id != p.curID {
			p.curID, p.detailOff = id, 0
		}
	}
}

func (p *checklistPage) current() *checklist.Item {
	if len(p.visible) == 0 {
		return nil
	}
	return p.visible[p.cursor]
}

func (p *checklistPage) move(to int) {
	if len(p.visible) == 0 {
		return
	}
	p.cursor = max(min(to, len(p.visible)-1), 0)
	p.syncCur()
}

func (p *checklistPage) Update(msg tea.Msg) (Component, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.searching {
			return p, p.updateSearch(msg)
		}
		cmd := p.handleKey(msg)
		if p.built != p.ctx.Audit.version {
			p.rebuild()
		}
		return p, cmd
	case auditReloadedMsg:
		return p, p.focus()
	}
	if p.built != p.ctx.Audit.version {
		p.rebuild()
	}
	return p, nil
}

// clear drops the search and the filter, so that esc first shows every
// item again and only then goes back.
func (p *checklistPage) clear() bool {
	if p.search.Value() == "" && p.filter == filterAll {
		return false
	}
	p.search.SetValue("")
	p.filter = filterAll
	p.rebuild()
	return true
}

// focus re-reads the items after a reload or when the page is on top again:
// another session may have changed the scopes.
func (p *checklistPage) focus() tea.Cmd {
	if !p.ctx.Audit.snap.Audit.HasScope(p.scope) {
		return popWith(statusError, p.scope.Label()+" non esiste più nell'audit")
	}
	p.items = groupItems(p.ctx.Audit.snap.ApplicableItems(p.scope))
	p.rebuild()
	return nil
}

func (p *checklistPage) updateSearch(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		p.searching = false
		p.search.Blur()
		return nil
	case "esc":
		p.searching = false
		p.search.Blur()
		p.search.SetValue("")
		p.rebuild()
		return nil
	}
	var cmd tea.Cmd
	p.search, cmd = p.search.Update(msg)
	p.rebuild()
	return cmd
}

func (p *checklistPage) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(p.cursor - 1)
	case key.Matches(msg, k.Down):
		p.move(p.cursor + 1)
	case key.Matches(msg, k.PageUp):
		p.move(p.cursor - p.listHeight())
	case key.Matches(msg, k.PageDown):
		p.move(p.cursor + p.listHeight())
	case key.Matches(msg, k.Home):
		p.move(0)
	case key.Matches(msg, k.End):
		p.move(len(p.visible) - 1)
	case key.Matches(msg, k.Filter):
		modes := filterMode(3)
		if len(p.ctx.Audit.snap.Carried) > 0 {
			modes = 4
		}
		p.filter = (p.filter + 1) % modes
		p.rebuild()
		return setStatus(statusInfo, "Filtro: "+p.filter.label())
	case key.Matches(msg, k.Search):
		p.searching = true
		return p.search.Focus()
	case key.Matches(msg, k.Unanswered):
		return p.nextUnanswered()
	case key.Matches(msg, k.Inherited):
		return p.toggleInherited()
	case key.Matches(msg, k.Copy):
		return p.copyFrom()
	case key.Matches(msg, k.Bulk):
		return p.bulkAnswer()
	case key.Matches(msg, k.History):
		p.showHistory = !p.showHistory
		p.detailOff = 0
	case key.Matches(msg, k.DetailDown):
		p.scrollDetail(max(p.detailHeight()-2, 3))
	case key.Matches(msg, k.DetailUp):
		p.scrollDetail(-max(p.detailHeight()-2, 3))
	case key.Matches(msg, k.Clear):
		return p.clearAnswer()
	case key.Matches(msg, k.Undo):
		return p.ctx.undoLast()
	case key.Matches(msg, k.Yes):
		return p.answerOutcome(checklist.OutcomeYes, false)
	case key.Matches(msg, k.No):
		return p.answerOutcome(checklist.OutcomeNo, false)
	case key.Matches(msg, k.Partial):
		return p.answerOutcome(checklist.OutcomePartial, false)
	case key.Matches(msg, k.YesNote):
		return p.answerOutcome(checklist.OutcomeYes, true)
	case key.Matches(msg, k.NoNote):
		return p.answerOutcome(checklist.OutcomeNo, true)
	case key.Matches(msg, k.PartialNote):
		return p.answerOutcome(checklist.OutcomePartial, true)
	case key.Matches(msg, k.NA):
		return p.answerNotApplicable()
	case key.Matches(msg, k.Open):
		return p.open()
	case key.Matches(msg, k.Note):
		return p.editNote()
	case key.Matches(msg, k.Evaluation):
		return p.editEvaluation()
	case key.Matches(msg, k.Confirm):
		return p.confirmCarried()
	case key.Matches(msg, k.Evidence):
		return p.openEvidence()
	}
	return nil
}

// openEvidence lists the files attached to the item under the cursor, at
// the scope it is answered at (evidence.go).
func (p *checklistPage) openEvidence() tea.Cmd {
	it := p.current()
	if it == nil {
		return setStatus(statusInfo, "Nessuna voce selezionata")
	}
	_, at, _ := p.effective(it)
	return push(newEvidencePage(p.ctx, at, it))
}

// confirmCarried answers the item under the cursor with the answer carried
// from last year's audit, value and note as they were: one key for what
// did not change.
func (p *checklistPage) confirmCarried() tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	prev, waiting := p.ctx.Audit.snap.CarriedAnswer(p.scope, it.ID)
	if value, _, _ := p.effective(it); !waiting || value != "" {
		return setStatus(statusInfo, it.ID+": nessuna risposta dell'audit precedente da confermare")
	}
	if prev.Value == "" {
		return setStatus(statusInfo, it.ID+": l'anno prima aveva solo una nota, nessuna risposta da confermare")
	}
	cmd := p.save(it, prev.Value, prev.Note, false)
	p.advance(it)
	return cmd
}

// nextUnanswered puts the cursor on the first item still to verify here,
// at or after the cursor, wrapping around.
func (p *checklistPage) nextUnanswered() tea.Cmd {
	n := len(p.visible)
	for step := 0; step < n; step++ {
		i := (p.cursor + step) % n
		it := p.visible[i]
		if v, at, _ := p.effective(it); v == "" && at == p.scope {
			p.move(i)
			return nil
		}
	}
	if p.filter != filterAll || p.search.Value() != "" {
		return setStatus(statusOK, "Nessuna voce da verificare tra quelle mostrate: esc mostra tutte le voci")
	}
	return setStatus(statusOK, "Tutte le voci di "+p.scope.Label()+" hanno una risposta")
}

// advance moves the cursor past it, to the next item answered here: after
// an answer the next key answers the next own item.
func (p *checklistPage) advance(it *checklist.Item) {
	i := slices.Index(p.visible, it)
	if i < 0 {
		return
	}
	for j := i + 1; j < len(p.visible); j++ {
		if p.own(p.visible[j]) {
			p.move(j)
			return
		}
	}
}

// toggleInherited shows or hides the items answered at the sede or the ente.
func (p *checklistPage) toggleInherited() tea.Cmd {
	if p.scope.Kind == checklist.ScopeEnte {
		return setStatus(statusInfo, "L'ente non eredita voci da altri ambiti")
	}
	p.inherited = !p.inherited
	p.rebuild()
	if p.inherited {
		return setStatus(statusInfo, "Voci ereditate mostrate (↑): i per nasconderle")
	}
	return setStatus(statusInfo, "Solo le voci di "+p.scope.Label()+": i per mostrare le ereditate")
}

// clearAnswer takes the item under the cursor back to "Non verificato",
// value and note; the history keeps both and z puts them back.
func (p *checklistPage) clearAnswer() tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	cur := p.ctx.Audit.shown(p.scope, it.ID)
	if cur.Blank() {
		return setStatus(statusInfo, it.ID+" è già «Non verificato»")
	}
	p.ctx.Audit.remember(it.ID+" ("+p.scope.Label()+")", cur)
	cmd := withDone(p.ctx.saveAnswer(p.scope, it.ID, "", "", false),
		fmt.Sprintf("Salvato: %s (%s) torna a «Non verificato» (z annulla)", it.ID, p.scope.Label()))
	return cmd
}

// editable returns the item under the cursor if the user may answer it
// here, or a command explaining why not.
func (p *checklistPage) editable() (*checklist.Item, tea.Cmd) {
	it := p.current()
	if it == nil {
		return nil, setStatus(statusInfo, "Nessuna voce selezionata")
	}
	if why := p.ctx.editRefusal(); why != "" {
		return nil, setStatus(statusError, why)
	}
	if _, at, _ := p.effective(it); at != p.scope {
		return nil, setStatus(statusError, fmt.Sprintf("%s si risponde a livello %s: premere invio per andarci", it.ID, at.Label()))
	}
	return it, nil
}

// answerOutcome answers the item under the cursor with o; withNote (the
// uppercase key) asks for the note first and saves both at once.
func (p *checklistPage) answerOutcome(o checklist.Outcome, withNote bool) tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	switch it.Answer.Kind {
	case checklist.KindOutcome, "":
	case checklist.KindChoice:
		// A choice is never picked behind the user's back: the list
		// opens on the choice meaning o, one invio confirms it.
		return p.valueFormOn(it, choiceFor(it, o))
	default:
		return setStatus(statusError, fmt.Sprintf("%s chiede %s, non sì/no: premere invio per rispondere", it.ID, kindWants(it)))
	}
	if withNote {
		return p.answerWithNote(it, o)
	}
	// The note stays the one stored: a note saved an instant ago may not
	// be on the screen yet.
	cmd := p.save(it, string(o), p.currentNote(it), true)
	p.advance(it)
	return cmd
}

// kindWants says what a value item asks for, for the refusal of s/n/p.
func kindWants(it *checklist.Item) string {
	switch it.Answer.Kind {
	case checklist.KindNumber:
		return "un numero"
	case checklist.KindDate:
		return "una data"
	case checklist.KindChoice:
		return "una scelta"
	}
	return "un testo"
}

// answerWithNote asks for the note of an answer o and saves both in one
// commit (the uppercase S, N, P keys).
func (p *checklistPage) answerWithNote(it *checklist.Item, o checklist.Outcome) tea.Cmd {
	p.noteDraft = p.currentNote(it)
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Nota").
			Description("Risposta: " + o.Label() + ". Invio salva risposta e nota, alt+invio va a capo.").
			Value(&p.noteDraft).Validate(textLimit("nota")),
	))
	return openForm(it.ID+" — "+strings.ToLower(o.Label())+" con nota", form, func() tea.Cmd {
		cmd := p.save(it, string(o), strings.TrimSpace(p.noteDraft), false)
		p.advance(it)
		return cmd
	})
}

// choiceFor returns the only choice of a scelta item meaning o, or "".
func choiceFor(it *checklist.Item, o checklist.Outcome) string {
	if it.Answer.Kind != checklist.KindChoice {
		return ""
	}
	found := ""
	for _, c := range it.Answer.Choices {
		if c.Outcome == o {
			if found != "" {
				return ""
			}
			found = c.ID
		}
	}
	return found
}

func (p *checklistPage) currentNote(it *checklist.Item) string {
	a, _ := p.ctx.Audit.snap.Answer(p.scope, it.ID)
	return a.Note
}

// save sends one answer of this scope to the store, remembering what it
// replaces for undo.
func (p *checklistPage) save(it *checklist.Item, value, note string, keepNote bool) tea.Cmd {
	p.ctx.Audit.remember(it.ID+" ("+p.scope.Label()+")", p.ctx.Audit.shown(p.scope, it.ID))
	return p.ctx.saveAnswer(p.scope, it.ID, value, note, keepNote)
}

func (p *checklistPage) answerNotApplicable() tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	if it.Answer.Kind != checklist.KindOutcome && it.Answer.Kind != "" {
		return setStatus(statusError, fmt.Sprintf("%s chiede %s, non sì/no: premere invio per rispondere", it.ID, kindWants(it)))
	}
	// Only an earlier justification is offered again: the note of a "no"
	// is no reason for "non applicabile".
	p.noteDraft = ""
	if cur := p.ctx.Audit.shown(p.scope, it.ID); cur.Value == string(checklist.OutcomeNotApplicable) {
		p.noteDraft = cur.Note
	}
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Giustificazione (obbligatoria)").
			Description("Perché la misura non si applica " + checklist.ToScope(p.scope) + "? Invio conferma, alt+invio va a capo.").
			Value(&p.noteDraft).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return checklist.ErrNeedsJustification
			}
			return textLimit("nota")(s)
		}),
	))
	return openForm(it.ID+" — non applicabile", form, func() tea.Cmd {
		cmd := p.save(it, string(checklist.OutcomeNotApplicable), strings.TrimSpace(p.noteDraft), false)
		p.advance(it)
		return cmd
	})
}

// valueForm asks for the value of a numero, testo, data or scelta item.
func (p *checklistPage) valueForm(it *checklist.Item) tea.Cmd { return p.valueFormOn(it, "") }

// valueFormOn is valueForm with the choice list on choice, when not "".
func (p *checklistPage) valueFormOn(it *checklist.Item, choice string) tea.Cmd {
	cur, _ := p.ctx.Audit.snap.Answer(p.scope, it.ID)
	p.valueDraft, p.noteDraft = cur.Value, cur.Note
	if choice != "" {
		p.valueDraft = choice
	}
	validate := func(s string) error {
		_, err := checklist.NormaliseValue(it, s, "")
		return err
	}
	var field huh.Field
	switch it.Answer.Kind {
	case checklist.KindChoice:
		var opts []huh.Option[string]
		for _, c := range it.Answer.Choices {
			opts = append(opts, huh.NewOption(c.Label, c.ID))
		}
		if p.valueDraft == "" && len(opts) > 0 {
			p.valueDraft = it.Answer.Choices[0].ID
		}
		field = huh.NewSelect[string]().Title(it.Question).Options(opts...).Value(&p.valueDraft)
	case checklist.KindDate:
		if p.valueDraft == "" {
			p.valueDraft = p.ctx.Now().Format("2006-01-02")
		}
		field = huh.NewInput().Title(it.Question).Description("Data nel formato AAAA-MM-GG").Value(&p.valueDraft).Validate(validate)
	case checklist.KindNumber:
		desc := "Numero (la virgola decimale è accettata)"
		if it.Answer.Unit != "" {
			desc += ", in " + it.Answer.Unit
		}
		field = huh.NewInput().Title(it.Question).Description(desc).Value(&p.valueDraft).Validate(validate)
	default:
		field = huh.NewInput().Title(it.Question).Value(&p.valueDraft).Validate(validate)
	}
	form := huh.NewForm(huh.NewGroup(field,
		newText().Title("Nota").Description("Facoltativa. Invio conferma, alt+invio va a capo.").Value(&p.noteDraft).Validate(textLimit("nota")),
	))
	return openForm(it.ID+" — risposta", form, func() tea.Cmd {
		value, err := checklist.NormaliseValue(it, p.valueDraft, p.noteDraft)
		if err != nil {
			return setStatus(statusError, it.ID+": "+err.Error())
		}
		cmd := p.save(it, value, strings.TrimSpace(p.noteDraft), false)
		p.advance(it)
		return cmd
	})
}

// open answers a value item, edits the note of an esito item, or jumps to
// the scope an inherited item is answered at.
func (p *checklistPage) open() tea.Cmd {
	it := p.current()
	if it == nil {
		return nil
	}
	if _, at, _ := p.effective(it); at != p.scope {
		return push(newChecklistPage(p.ctx, at, it.ID))
	}
	if it.Answer.Kind != checklist.KindOutcome && it.Answer.Kind != "" {
		if it, refuse := p.editable(); it == nil {
			return refuse
		}
		return p.valueForm(it)
	}
	return p.editNote()
}

func (p *checklistPage) editNote() tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	p.noteDraft = p.currentNote(it)
	cur, answered := p.ctx.Audit.snap.Answer(p.scope, it.ID)
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Nota").Description(it.Title() + ". Invio salva, alt+invio va a capo.").Value(&p.noteDraft).
			Validate(func(s string) error {
				if answered && cur.Value == string(checklist.OutcomeNotApplicable) && strings.TrimSpace(s) == "" {
					return checklist.ErrNeedsJustification
				}
				return textLimit("nota")(s)
			}),
	))
	return openForm(it.ID+" — nota", form, func() tea.Cmd {
		p.ctx.Audit.remember(it.ID+" ("+p.scope.Label()+")", p.ctx.Audit.shown(p.scope, it.ID))
		ref := answerRef{p.scope, it.ID}
		note := strings.TrimSpace(p.noteDraft)
		store, id, user, scope := p.ctx.Store, p.ctx.Audit.id(), p.ctx.User, p.scope
		key := revKey{id, ref}
		seq, cmd := p.ctx.saves().enqueue(func(revs map[revKey]int) tea.Msg {
			res, err := store.SaveNote(id, scope, it.ID, note, user)
			if err == nil {
				revs[key] = res.Answer.Rev
			}
			return answerSavedMsg{audit: id, ref: ref, noteOp: true, res: res, err: err}
		}, func(err error) tea.Msg {
			return answerSavedMsg{audit: id, ref: ref, noteOp: true, err: err}
		})
		p.ctx.Audit.lastSent[ref] = seq
		return func() tea.Msg {
			msg := cmd().(answerSavedMsg)
			msg.seq = seq
			return msg
		}
	})
}

func (p *checklistPage) editEvaluation() tea.Cmd {
	it := p.current()
	if it == nil {
		return nil
	}
	if why := p.ctx.editRefusal(); why != "" {
		return setStatus(statusError, why)
	}
	sec := p.ctx.Audit.snap.Catalogue.Section(it.Section)
	if sec == nil {
		return nil
	}
	cur, _ := p.ctx.Audit.evaluation(p.scope, sec.ID)
	p.evalDraft = cur.Text
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Valutazione — " + sec.Title).
			Description("Giudizio complessivo sulla sezione per " + p.scope.Label() + ". Invio salva, alt+invio va a capo.").
			Lines(8).Value(&p.evalDraft).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" && cur.Text == "" {
				return errors.New("la valutazione è vuota")
			}
			return textLimit("valutazione")(s)
		}),
	))
	return openForm("Valutazione della sezione "+sec.ID, form, func() tea.Cmd {
		e := checklist.Evaluation{Scope: p.scope, Section: sec.ID, Text: strings.TrimSpace(p.evalDraft), Author: p.ctx.User, At: p.ctx.Now()}
		store, id := p.ctx.Store, p.ctx.Audit.id()
		return func() tea.Msg {
			return evaluationSavedMsg{audit: id, eval: e, err: store.SaveEvaluation(id, e)}
		}
	})
}

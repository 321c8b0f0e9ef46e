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
)

func (f filterMode) label() string {
	switch f {
	case filterUnanswered:
		return "non risposte"
	case filterNonConforming:
		return "non conformi"
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

	// Form drafts: huh binds to these while a form is open.
	noteDraft, valueDraft, evalDraft string
}

func newChecklistPage(ctx *Context, scope checklist.Scope, itemID string) *checklistPage {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "cerca per codice o testo"
	p := &checklistPage{ctx: ctx, keys: ctx.Keys.Checklist, scope: scope, curID: itemID, search: ti, built: -1}
	p.items = groupItems(ctx.Audit.snap.ApplicableItems(scope))
	p.rebuild()
	if itemID == "" && len(p.visible) > 0 {
		// Start where the work is: the first item of this scope still
		// to verify, else the first item.
		p.move(len(p.visible) - 1)
		p.nextUnanswered()
		if v, at, _ := p.effective(p.visible[p.cursor]); v != "" || at != scope {
			p.move(0)
		}
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
	return []key.Binding{k.Yes, k.No, k.Partial, k.NA, k.Note, k.Unanswered, k.Filter, k.Search}
}

func (p *checklistPage) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Yes, k.No, k.Partial, k.NA, k.Open, k.Note, k.Evaluation},
		{k.Unanswered, k.Filter, k.Search},
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

func (p *checklistPage) matches(it *checklist.Item) bool {
	value, _, _ := p.effective(it)
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
	}
	if q := strings.ToLower(strings.TrimSpace(p.search.Value())); q != "" {
		hay := strings.ToLower(it.ID + " " + it.Title() + " " + it.Question)
		if !strings.Contains(hay, q) {
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
		p.curID = p.visible[p.cursor].ID
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
		return tea.Sequence(setStatus(statusError, p.scope.Label()+" non esiste più nell'audit"), pop)
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
		p.filter = (p.filter + 1) % 3
		p.rebuild()
		return setStatus(statusInfo, "Filtro: "+p.filter.label())
	case key.Matches(msg, k.Search):
		p.searching = true
		return p.search.Focus()
	case key.Matches(msg, k.Unanswered):
		return p.nextUnanswered()
	case key.Matches(msg, k.Yes):
		return p.answerOutcome(checklist.OutcomeYes)
	case key.Matches(msg, k.No):
		return p.answerOutcome(checklist.OutcomeNo)
	case key.Matches(msg, k.Partial):
		return p.answerOutcome(checklist.OutcomePartial)
	case key.Matches(msg, k.NA):
		return p.answerNotApplicable()
	case key.Matches(msg, k.Open):
		return p.open()
	case key.Matches(msg, k.Note):
		return p.editNote()
	case key.Matches(msg, k.Evaluation):
		return p.editEvaluation()
	}
	return nil
}

func (p *checklistPage) nextUnanswered() tea.Cmd {
	n := len(p.visible)
	for step := 1; step <= n; step++ {
		i := (p.cursor + step) % n
		it := p.visible[i]
		if v, at, _ := p.effective(it); v == "" && at == p.scope {
			p.move(i)
			return nil
		}
	}
	return setStatus(statusOK, "Tutte le voci di "+p.scope.Label()+" hanno una risposta")
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

func (p *checklistPage) answerOutcome(o checklist.Outcome) tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	value := string(o)
	if it.Answer.Kind != checklist.KindOutcome && it.Answer.Kind != "" {
		// A scelta item whose choices map to outcomes answers with one key
		// when exactly one choice means o; anything else asks.
		value = choiceFor(it, o)
		if value == "" {
			return p.valueForm(it)
		}
	}
	// The note stays the one stored: a note saved an instant ago may not
	// be on the screen yet.
	cmd := p.save(it, value, p.currentNote(it), true)
	p.move(p.cursor + 1)
	return cmd
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

// save sends one answer to the store; the row shows it as being saved
// until the commit returns. With keepNote only the value is saved and the
// stored note kept (storage.Store.SaveValue).
func (p *checklistPage) save(it *checklist.Item, value, note string, keepNote bool) tea.Cmd {
	sess := p.ctx.Audit
	ref := answerRef{p.scope, it.ID}
	expectRev := 0
	if cur, ok := sess.snap.Answer(p.scope, it.ID); ok {
		expectRev = cur.Rev
	}
	ans := checklist.Answer{Scope: p.scope, Item: it.ID, Value: value, Note: note, Author: p.ctx.User, At: p.ctx.Now()}
	sess.pending[ref] = value
	delete(sess.failed, ref)
	sess.version++
	store, id := p.ctx.Store, sess.id()
	key := revKey{id, ref}
	seq, cmd := p.ctx.saves().enqueue(func(revs map[revKey]int) tea.Msg {
		// An earlier save of this answer, committed just before, is what
		// this one replaces: expect its revision, not the screen's.
		saveFn := store.SaveAnswer
		if keepNote {
			saveFn = store.SaveValue
		}
		res, err := saveFn(id, ans, max(expectRev, revs[key]))
		if err == nil {
			revs[key] = res.Answer.Rev
		}
		return answerSavedMsg{audit: id, ref: ref, value: value, res: res, err: err}
	}, func(err error) tea.Msg {
		return answerSavedMsg{audit: id, ref: ref, value: value, err: err}
	})
	sess.lastSent[ref] = seq
	return func() tea.Msg {
		msg := cmd().(answerSavedMsg)
		msg.seq = seq
		return msg
	}
}

func (p *checklistPage) answerNotApplicable() tea.Cmd {
	it, refuse := p.editable()
	if it == nil {
		return refuse
	}
	if it.Answer.Kind != checklist.KindOutcome && it.Answer.Kind != "" {
		return setStatus(statusError, fmt.Sprintf("%s chiede un valore (%s), non sì/no: premere invio per rispondere", it.ID, it.Answer.Kind))
	}
	p.noteDraft = p.currentNote(it)
	form := huh.NewForm(huh.NewGroup(
		newText().Title("Giustificazione (obbligatoria)").
			Description("Perché la misura non si applica a " + p.scope.Label() + "? Invio conferma, alt+invio va a capo.").
			Value(&p.noteDraft).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return checklist.ErrNeedsJustification
			}
			return nil
		}),
	))
	return openForm(it.ID+" — non applicabile", form, func() tea.Cmd {
		cmd := p.save(it, string(checklist.OutcomeNotApplicable), strings.TrimSpace(p.noteDraft), false)
		p.moveAfter(it)
		return cmd
	})
}

// moveAfter puts the cursor on the item after it, once a form about it has
// been submitted.
func (p *checklistPage) moveAfter(it *checklist.Item) {
	if i := slices.Index(p.visible, it); i >= 0 {
		p.move(i + 1)
	}
}

// valueForm asks for the value of a numero, testo, data or scelta item.
func (p *checklistPage) valueForm(it *checklist.Item) tea.Cmd {
	cur, _ := p.ctx.Audit.snap.Answer(p.scope, it.ID)
	p.valueDraft, p.noteDraft = cur.Value, cur.Note
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
		newText().Title("Nota").Description("Facoltativa. Invio conferma, alt+invio va a capo.").Value(&p.noteDraft),
	))
	return openForm(it.ID+" — risposta", form, func() tea.Cmd {
		value, err := checklist.NormaliseValue(it, p.valueDraft, p.noteDraft)
		if err != nil {
			return setStatus(statusError, it.ID+": "+err.Error())
		}
		cmd := p.save(it, value, strings.TrimSpace(p.noteDraft), false)
		p.moveAfter(it)
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
				return nil
			}),
	))
	return openForm(it.ID+" — nota", form, func() tea.Cmd {
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
			return nil
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

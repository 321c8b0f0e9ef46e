package checklist

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // history days are Italian days wherever cieaudit runs
)

// History kinds of the yearly cycle.
const (
	ChangePlan     ChangeKind = "piano"
	ChangeOperator ChangeKind = "operatore"
	ChangeEvent    ChangeKind = "evento"
)

// Quarter is a calendar quarter, the period of a scheda or declaration.
type Quarter struct {
	Year int `json:"year"`
	Q    int `json:"q"` // 1-4
}

// ParseQuarter reads 2026Q4 (also 2026-Q4, 2026q4, Q4/2026, 4/2026).
func ParseQuarter(s string) (Quarter, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	bad := fmt.Errorf("--quarter: trimestre %q non valido: usare AAAAQn, es. 2026Q4", s)
	var year, q string
	switch {
	case strings.Contains(v, "/"):
		q, year, _ = strings.Cut(v, "/")
		q = strings.TrimPrefix(q, "Q")
	default:
		var ok bool
		year, q, ok = strings.Cut(v, "Q")
		if !ok {
			return Quarter{}, bad
		}
		year = strings.TrimSuffix(year, "-")
	}
	y, err1 := strconv.Atoi(year)
	n, err2 := strconv.Atoi(q)
	if err1 != nil || err2 != nil || len(year) != 4 || n < 1 || n > 4 || y < 2005 || y > 2100 {
		return Quarter{}, bad
	}
	return Quarter{Year: y, Q: n}, nil
}

// QuarterOf is the quarter holding day (AAAA-MM-GG…).
func QuarterOf(day string) Quarter {
	t, err := time.Parse(time.DateOnly, day[:min(len(day), 10)])
	if err != nil {
		return Quarter{}
	}
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

// String is the form used by the CLI and file names: 2026Q4.
func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Start is the first day of the quarter, AAAA-MM-GG.
func (q Quarter) Start() string {
	return time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// End is the last day of the quarter, AAAA-MM-GG.
func (q Quarter) End() string {
	return time.Date(q.Year, time.Month(3*q.Q+1), 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Contains reports whether day (AAAA-MM-GG…) falls in the quarter.
func (q Quarter) Contains(day string) bool {
	d := day[:min(len(day), 10)]
	return d >= q.Start() && d <= q.End()
}

// Next is the following quarter (the first of next year after Q4).
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{Year: q.Year + 1, Q: 1}
	}
	return Quarter{Year: q.Year, Q: q.Q + 1}
}

// Prev is the preceding quarter (Q4 of last year before Q1).
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// Due is when the quarter's scheda or declaration is due: the sources give
// 30/6, 30/9 and 30/12 ([S8][S10][S11]); for the first quarter, with no
// source, the last day of March.
func (q Quarter) Due() string {
	if q.Q == 1 {
		return q.End()
	}
	return fmt.Sprintf("%d-%02d-30", q.Year, 3*q.Q)
}

// Label is the Italian name: "4° trimestre 2026 (01/10/2026 – 31/12/2026)".
func (q Quarter) Label() string {
	return fmt.Sprintf("%d° trimestre %d (%s – %s)", q.Q, q.Year, ItalianDate(q.Start()), ItalianDate(q.End()))
}

// rome is the time zone in which history times become calendar days.
var rome = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// LocalDay is the calendar day (Italian time) of a recorded moment.
func LocalDay(t time.Time) string { return t.In(rome).Format(time.DateOnly) }

// VariationArea is what part of the plan a variation changed.
type VariationArea string

const (
	VariationPerimeter    VariationArea = "perimetro"
	VariationOrganisation VariationArea = "organizzazione"
	VariationOperators    VariationArea = "operatori"
	VariationMeasure      VariationArea = "misura"
)

// Label is the Italian display name.
func (v VariationArea) Label() string {
	switch v {
	case VariationPerimeter:
		return "perimetro e inventario"
	case VariationOrganisation:
		return "organizzazione"
	case VariationOperators:
		return "operatori"
	case VariationMeasure:
		return "esito di una misura"
	}
	return string(v)
}

// Variation is a change, after a transmission, to what the plan describes.
type Variation struct {
	// ID is "V" and the history sequence of the change it comes from.
	ID     string        `json:"id"`
	Seq    uint64        `json:"seq"`
	At     time.Time     `json:"at"`
	Day    string        `json:"day"` // Italian calendar day of At
	Area   VariationArea `json:"area"`
	Scope  string        `json:"scope,omitempty"`
	Item   string        `json:"item,omitempty"`
	Old    string        `json:"old"`
	New    string        `json:"new"`
	Author string        `json:"author"`
}

// Label is the variation in one Italian line, naming it by its ID.
func (v Variation) Label() string {
	what := v.Area.Label()
	if v.Item != "" {
		what += " " + v.Item
	}
	if v.Scope != "" {
		sc, err := ParseScope(v.Scope)
		if err == nil {
			what += " (" + sc.Label() + ")"
		}
	}
	return fmt.Sprintf("%s del %s: %s, %s → %s", v.ID, ItalianDate(v.Day), what, orDash(v.Old), orDash(v.New))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// organisationKeys are the ente fields that describe the plan's
// organisation (roles), as they appear in audit history entries.
var organisationKeys = []string{"ente.sindaco", "ente.responsabile_sicurezza", "ente.referente_cie"}

// Variations lists the changes recorded after the first transmission
// (baselines) to what the plan describes: perimeter and inventory, the
// organisation and its operators, the outcome of a measure. Answers given
// before it, notes, evaluations, plan and event records are not
// variations. Oldest first.
func Variations(snap *Snapshot) []Variation {
	if len(snap.Baselines) == 0 {
		return nil
	}
	first := snap.Baselines[0].FixedAt
	for _, b := range snap.Baselines {
		if b.FixedAt.Before(first) {
			first = b.FixedAt
		}
	}
	var out []Variation
	for _, c := range snap.History {
		if !c.At.After(first) {
			continue
		}
		v := Variation{ID: fmt.Sprintf("V%d", c.Seq), Seq: c.Seq, At: c.At, Day: LocalDay(c.At), Scope: c.Scope, Item: c.Item, Old: c.Old, New: c.New, Author: c.Author}
		switch c.Kind {
		case ChangeScope:
			v.Area = VariationPerimeter
		case ChangeOperator:
			v.Area = VariationOperators
		case ChangeAudit:
			if !mentionsAny(c.Old+" "+c.New, organisationKeys) {
				continue
			}
			v.Area = VariationOrganisation
		case ChangeAnswer:
			it := snap.Catalogue.Item(c.Item)
			if it == nil {
				continue
			}
			oldO, newO := Answer{Value: c.Old}.Outcome(it), Answer{Value: c.New}.Outcome(it)
			if oldO == newO || (it.Answer.Kind != KindOutcome && it.Answer.Kind != "" && it.Answer.Kind != KindChoice) {
				continue
			}
			v.Area = VariationMeasure
			v.Old, v.New = oldO.Label(), newO.Label()
		default:
			continue
		}
		out = append(out, v)
	}
	return out
}

func mentionsAny(s string, keys []string) bool {
	for _, k := range keys {
		if strings.Contains(s, k+":") {
			return true
		}
	}
	return false
}

// VariationsIn keeps the variations whose day falls in q.
func VariationsIn(vs []Variation, q Quarter) []Variation {
	var out []Variation
	for _, v := range vs {
		if q.Contains(v.Day) {
			out = append(out, v)
		}
	}
	return out
}

// EventsIn keeps the events that occurred in q, in date order.
func EventsIn(events []SecurityEvent, q Quarter) []SecurityEvent {
	var out []SecurityEvent
	for _, e := range events {
		if q.Contains(e.At) {
			out = append(out, e)
		}
	}
	sortEvents(out)
	return out
}

// OpenBefore keeps the events that occurred before q and were still open
// at its start.
func OpenBefore(events []SecurityEvent, q Quarter) []SecurityEvent {
	var out []SecurityEvent
	for _, e := range events {
		if e.Day() < q.Start() && (e.Status != EventClosed || e.ClosedOn >= q.Start()) {
			out = append(out, e)
		}
	}
	sortEvents(out)
	return out
}

func sortEvents(es []SecurityEvent) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].At != es[j].At {
			return es[i].At < es[j].At
		}
		return es[i].ID < es[j].ID
	})
}

// Verdict says whether the Sindaco may declare that the plan did not
// change in a quarter, and if not, every reason.
type Verdict struct {
	Quarter    Quarter
	Edition    *Baseline // in force at the end of the quarter
	Events     []SecurityEvent
	Variations []Variation
	Reasons    []string // Italian, each naming what stands in the way
}

// Allowed reports whether the declaration may be produced.
func (v Verdict) Allowed() bool { return len(v.Reasons) == 0 }

// CheckDeclaration judges the Sindaco's simplified declaration for q
// (circ. 53/2007): a transmitted edition must exist, and the period must
// have had no security event and no variation of the plan.
func CheckDeclaration(snap *Snapshot, q Quarter) Verdict {
	v := Verdict{Quarter: q, Edition: EditionInForce(snap.Baselines, q.End())}
	if v.Edition == nil {
		v.Reasons = append(v.Reasons, "nessuna edizione del piano risulta trasmessa alla Prefettura entro il "+ItalianDate(q.End())+" (registrarla con cieaudit plan set --sent-on)")
	}
	v.Events = EventsIn(snap.Events, q)
	for _, e := range v.Events {
		v.Reasons = append(v.Reasons, fmt.Sprintf("evento di sicurezza %s del %s: %s", e.ID, ItalianDate(e.At), strings.TrimRight(e.Description, ". ")))
	}
	v.Variations = VariationsIn(Variations(snap), q)
	for _, x := range v.Variations {
		v.Reasons = append(v.Reasons, "variazione "+x.Label())
	}
	if strings.TrimSpace(snap.Audit.Ente.Sindaco) == "" {
		v.Reasons = append(v.Reasons, "il nome del Sindaco manca nei dati dell'ente")
	}
	return v
}

// ActionState is how far a planned remediation action is at a date.
type ActionState string

const (
	ActionPlanned ActionState = "pianificata"
	ActionClosed  ActionState = "completata"
	ActionLate    ActionState = "scaduta"
)

// SheetAction is one remediation action in a scheda.
type SheetAction struct {
	Item  string      `json:"item"`
	Title string      `json:"title"`
	Owner string      `json:"owner,omitempty"`
	Due   string      `json:"due,omitempty"`
	State ActionState `json:"state"`
}

// Sheet is the content of the quarterly scheda di attuazione e
// monitoraggio.
type Sheet struct {
	Quarter Quarter
	Ente    Ente
	Edition *Baseline
	// AsOf is the day the scheda describes: the end of the quarter, or
	// today while the quarter is still running.
	AsOf       string
	Actions    []SheetAction
	Outcomes   []Variation // measures whose outcome changed in the period
	Variations []Variation // every variation of the period
	Events     []SecurityEvent
	OpenBefore []SecurityEvent
	Operators  []Operator // with findings, active at AsOf
	Verdict    Verdict
}

// Count returns how many actions are in state s.
func (s *Sheet) Count(st ActionState) int {
	n := 0
	for _, a := range s.Actions {
		if a.State == st {
			n++
		}
	}
	return n
}

// BuildSheet assembles the scheda for q as known on today.
func BuildSheet(snap *Snapshot, q Quarter, today string) Sheet {
	s := Sheet{Quarter: q, Ente: snap.Audit.Ente, AsOf: min(q.End(), today)}
	s.Verdict = CheckDeclaration(snap, q)
	s.Edition = s.Verdict.Edition
	s.Events = s.Verdict.Events
	s.Variations = s.Verdict.Variations
	for _, v := range s.Variations {
		if v.Area == VariationMeasure {
			s.Outcomes = append(s.Outcomes, v)
		}
	}
	s.OpenBefore = OpenBefore(snap.Events, q)
	// The remediation actions: one per measure not (fully) in place, with
	// its plan, and those whose plan says done.
	planned := map[string]ActionPlan{}
	for _, act := range Assess(snap).Actions {
		planned[act.Item.ID] = act.Plan
	}
	for id, p := range snap.Actions {
		if p.Status == ActionDone {
			planned[id] = p
		}
	}
	for _, it := range snap.Catalogue.Items() {
		p, ok := planned[it.ID]
		if !ok {
			continue
		}
		a := SheetAction{Item: it.ID, Title: it.Title(), Owner: p.Owner, Due: p.Due, State: ActionPlanned}
		switch {
		case p.Status == ActionDone:
			a.State = ActionClosed
		case p.Due != "" && p.Due < s.AsOf:
			a.State = ActionLate
		}
		s.Actions = append(s.Actions, a)
	}
	for _, o := range snap.Operators {
		if o.Active(s.AsOf) && len(o.Findings()) > 0 {
			s.Operators = append(s.Operators, o)
		}
	}
	return s
}

// Deadline is one thing due for an audit.
type Deadline struct {
	Audit   string `json:"audit"`
	Ente    string `json:"ente"`
	Kind    string `json:"kind"` // scheda, dichiarazione, prefettura, piano, azione, gdpr, operatore
	What    string `json:"what"` // Italian
	Due     string `json:"due,omitempty"`
	Overdue bool   `json:"overdue"`
}

// Deadlines lists what is due next for the audit on today, soonest first
// (overdue ones first, undated ones last).
func Deadlines(snap *Snapshot, today string) []Deadline {
	a := &snap.Audit
	var out []Deadline
	add := func(kind, what, due string) {
		out = append(out, Deadline{Audit: a.ID, Ente: a.Ente.Name, Kind: kind, What: what, Due: due, Overdue: due != "" && due < today})
	}
	if snap.Plan.Sent() {
		if snap.Plan.Outcome == "" || snap.Plan.Outcome == OutcomePending {
			what := fmt.Sprintf("Esito della Prefettura sul piano (%s, trasmesso il %s): termine di %d giorni", snap.Plan.EditionLabel(), ItalianDate(snap.Plan.SentOn), PrefetturaTermDays)
			if snap.Plan.TermRunOut(today) {
				what += " scaduto: sollecitare la Prefettura"
			}
			add("prefettura", what, snap.Plan.TermEnds())
		}
	}
	q := QuarterOf(today)
	// The previous quarter's scheda is still listed while its due date has
	// not long passed (the first month of the new quarter).
	quarters := []Quarter{q}
	if prev := q.Prev(); today <= addDays(prev.Due(), 31) {
		quarters = []Quarter{prev, q}
	}
	for _, qq := range quarters {
		if len(snap.Baselines) == 0 {
			break
		}
		if produced(snap, qq) {
			continue
		}
		v := CheckDeclaration(snap, qq)
		if v.Allowed() {
			add("dichiarazione", fmt.Sprintf("Dichiarazione del Sindaco, %s: nessun evento né variazione (oppure scheda trimestrale)", qq.Label()), qq.Due())
		} else {
			add("scheda", fmt.Sprintf("Scheda di attuazione e monitoraggio, %s: %s, %s", qq.Label(), Count(len(v.Events), "evento", "eventi"), Count(len(v.Variations), "variazione", "variazioni")), qq.Due())
		}
	}
	switch vs := Variations(snap); {
	case len(snap.Baselines) == 0 && !snap.Plan.Sent():
		add("piano", "Piano di sicurezza da adottare e trasmettere alla Prefettura (nessuna edizione trasmessa)", "")
	case len(vs) > 0 && vs[len(vs)-1].At.After(lastFixed(snap.Baselines)):
		n := 0
		for _, v := range vs {
			if v.At.After(lastFixed(snap.Baselines)) {
				n++
			}
		}
		add("piano", "Aggiornamento del piano da trasmettere: "+Count(n, "variazione", "variazioni")+" dopo l'ultima trasmissione", "")
	case snap.Plan.Sent():
		// The update cadence is disputed (six-monthly or yearly, §7.3): the
		// yearly one of the service sheets is the reminder.
		add("piano", "Revisione periodica del piano (art. 8 D.M. 2/8/2005; cadenza annuale indicativa)", addDays(snap.Plan.SentOn, 365))
	}
	for _, it := range snap.Catalogue.Items() {
		p, ok := snap.Actions[it.ID]
		if !ok || p.Status == ActionDone || p.Due == "" {
			continue
		}
		add("azione", fmt.Sprintf("Azione %s: %s (%s)", it.ID, it.Title(), p.Status.Label()), p.Due)
	}
	for _, e := range snap.Events {
		if e.Status == EventClosed {
			continue
		}
		if due := e.GDPRDeadline(); due != "" {
			if _, ok := e.Notice(NotifyGarante); !ok {
				add("gdpr", fmt.Sprintf("Evento %s: valutare la notifica al Garante entro 72 ore (art. 33 GDPR) se è una violazione di dati personali", e.ID), due[:10])
			}
		}
		add("evento", fmt.Sprintf("Evento %s aperto dal %s: %s", e.ID, ItalianDate(e.At), e.Description), "")
	}
	for _, o := range snap.Operators {
		for _, f := range o.Findings() {
			add("operatore", fmt.Sprintf("Operatore %s (%s): %s", o.ID, o.Name, f), "")
		}
	}
	SortDeadlines(out)
	return out
}

// SortDeadlines orders deadlines soonest first, undated ones last; the
// order among equals is kept.
func SortDeadlines(ds []Deadline) {
	sort.SliceStable(ds, func(i, j int) bool {
		di, dj := ds[i].Due, ds[j].Due
		if (di == "") != (dj == "") {
			return dj == ""
		}
		return di < dj
	})
}

// Quarterly documents, as recorded in the history.
const (
	DocumentSheet       = "scheda"
	DocumentDeclaration = "dichiarazione"
)

// DocumentItem is the history Item under which the production of a
// quarter's scheda or declaration (kind) is recorded, with ChangePlan.
func DocumentItem(kind string, q Quarter) string { return kind + ":" + q.String() }

// produced reports whether q is covered: its scheda was produced, or its
// declaration was and still holds (no event or variation came after).
func produced(snap *Snapshot, q Quarter) bool {
	for _, c := range snap.History {
		if c.Kind != ChangePlan {
			continue
		}
		switch c.Item {
		case DocumentItem(DocumentSheet, q):
			return true
		case DocumentItem(DocumentDeclaration, q):
			if CheckDeclaration(snap, q).Allowed() {
				return true
			}
		}
	}
	return false
}

func lastFixed(bs []Baseline) time.Time {
	var t time.Time
	for _, b := range bs {
		if b.FixedAt.After(t) {
			t = b.FixedAt
		}
	}
	return t
}

// NextID is the next register id with prefix ("op", "ev") given the ids in
// use: op-1, op-2, …
func NextID(prefix string, used []string) string {
	n := 0
	for _, id := range used {
		if rest, ok := strings.CutPrefix(strings.ToLower(id), prefix+"-"); ok {
			if k, err := strconv.Atoi(rest); err == nil && k > n {
				n = k
			}
		}
	}
	return fmt.Sprintf("%s-%d", prefix, n+1)
}

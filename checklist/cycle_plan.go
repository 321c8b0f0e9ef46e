package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The comune's yearly cycle after the audit (D.M. 2/8/2005, circ. 53/2007):
// the plan is adopted and transmitted to the Prefettura, which has 30 days
// to check it; what the plan described when it was sent is its baseline;
// every later change to it is a variation; each quarter the comune sends a
// scheda di attuazione e monitoraggio, or the Sindaco declares that nothing
// changed. See docs/cycle.md.

// Edition is the version of the plan.
type Edition string

const (
	EditionAlfa   Edition = "alfa"
	EditionBeta   Edition = "beta"
	EditionUpdate Edition = "aggiornamento"
)

// ParseEdition accepts alfa, beta or aggiornamento.
func ParseEdition(s string) (Edition, error) {
	if e, ok := parseEnum(s, EditionAlfa, EditionBeta, EditionUpdate); ok {
		return e, nil
	}
	return "", fmt.Errorf("edizione %q non valida: usare alfa, beta o aggiornamento", s)
}

// parseEnum finds s, ignoring case and surrounding spaces, among allowed.
func parseEnum[T ~string](s string, allowed ...T) (T, bool) {
	v := T(strings.ToLower(strings.TrimSpace(s)))
	return v, slices.Contains(allowed, v)
}

// Channel is how the plan reached the Prefettura.
type Channel string

const (
	ChannelPEC   Channel = "pec"
	ChannelPaper Channel = "cartaceo"
	ChannelOther Channel = "altro"
)

// ParseChannel accepts pec, cartaceo or altro.
func ParseChannel(s string) (Channel, error) {
	if c, ok := parseEnum(s, ChannelPEC, ChannelPaper, ChannelOther); ok {
		return c, nil
	}
	return "", fmt.Errorf("canale %q non valido: usare pec, cartaceo o altro", s)
}

// Label is the Italian display name.
func (c Channel) Label() string {
	switch c {
	case ChannelPEC:
		return "PEC"
	case ChannelPaper:
		return "cartaceo"
	case ChannelOther:
		return "altro"
	case "":
		return "non indicato"
	}
	return string(c)
}

// PlanOutcome is the Prefettura's answer to a transmitted plan.
type PlanOutcome string

const (
	OutcomePending    PlanOutcome = "in-attesa"
	OutcomeConforming PlanOutcome = "conforme"
	OutcomeRemarks    PlanOutcome = "rilievi"
)

// ParsePlanOutcome accepts in-attesa, conforme or rilievi.
func ParsePlanOutcome(s string) (PlanOutcome, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "in attesa", "in_attesa":
		v = string(OutcomePending)
	case "con rilievi", "con-rilievi":
		v = string(OutcomeRemarks)
	}
	if o, ok := parseEnum(v, OutcomePending, OutcomeConforming, OutcomeRemarks); ok {
		return o, nil
	}
	return "", fmt.Errorf("esito %q non valido: usare in-attesa, conforme o rilievi", s)
}

// Label is the Italian display name.
func (o PlanOutcome) Label() string {
	switch o {
	case OutcomePending, "":
		return "in attesa"
	case OutcomeConforming:
		return "conforme"
	case OutcomeRemarks:
		return "con rilievi"
	}
	return string(o)
}

// PrefetturaTermDays is the time the Prefettura has to check a plan, from
// its receipt (D.M. 2/8/2005 as reported by commentary, [DM-sint] [S5]).
const PrefetturaTermDays = 30

// Plan is the plan's current edition and what happened to it: adoption,
// protocol, transmission to the Prefettura and its outcome. Dates are
// AAAA-MM-GG.
type Plan struct {
	Edition     Edition     `json:"edition,omitempty"`
	Number      int         `json:"number,omitempty"` // aggiornamento n.
	AdoptedAct  string      `json:"adopted_act,omitempty"`
	AdoptedOn   string      `json:"adopted_on,omitempty"`
	Protocol    string      `json:"protocol,omitempty"`
	ProtocolOn  string      `json:"protocol_on,omitempty"`
	SentOn      string      `json:"sent_on,omitempty"`
	Channel     Channel     `json:"channel,omitempty"`
	Receipt     string      `json:"receipt,omitempty"`
	Outcome     PlanOutcome `json:"outcome,omitempty"`
	OutcomeOn   string      `json:"outcome_on,omitempty"`
	OutcomeNote string      `json:"outcome_note,omitempty"`
}

// EditionLabel is the edition as written in documents: "versione beta",
// "aggiornamento n. 2"; "" when no edition is set.
func EditionLabel(e Edition, number int) string {
	switch e {
	case EditionAlfa, EditionBeta:
		return "versione " + string(e)
	case EditionUpdate:
		return fmt.Sprintf("aggiornamento n. %d", number)
	}
	return ""
}

// EditionLabel is the plan's edition as written in documents.
func (p Plan) EditionLabel() string { return EditionLabel(p.Edition, p.Number) }

// Sent reports whether the plan's current edition was transmitted.
func (p Plan) Sent() bool { return p.SentOn != "" }

// TermEnds is the last day of the Prefettura's 30-day term, counted from
// the transmission; "" when the plan was not sent.
func (p Plan) TermEnds() string {
	if p.SentOn == "" {
		return ""
	}
	return addDays(p.SentOn, PrefetturaTermDays)
}

// TermRunOut reports whether the 30 days passed on today (AAAA-MM-GG)
// without an outcome.
func (p Plan) TermRunOut(today string) bool {
	return p.Sent() && (p.Outcome == "" || p.Outcome == OutcomePending) && today > p.TermEnds()
}

// PlanChange is what a user asks to change in the plan: nil fields are
// left as they are, an empty string clears a text.
type PlanChange struct {
	Edition, AdoptedAct, AdoptedOn, Protocol, ProtocolOn, SentOn, Channel, Receipt, Outcome, OutcomeOn, OutcomeNote *string
	Number                                                                                                          *int
}

// Empty reports whether the change sets nothing.
func (c PlanChange) Empty() bool { return c == PlanChange{} }

// ApplyPlanChange returns the plan with the change applied and validated;
// today (AAAA-MM-GG) bounds the dates. Errors are one Italian sentence
// naming the field as the CLI spells it (--sent-on …).
//
// Changing the edition of a plan already transmitted starts a new edition:
// its transmission and outcome are cleared unless the change gives new
// ones (the old transmission stays among the baselines and in the history).
// sent reports that the change records a transmission: the caller fixes the
// baseline.
func ApplyPlanChange(old Plan, c PlanChange, today string) (p Plan, sent bool, err error) {
	p = old
	if c.Edition != nil {
		if *c.Edition == "" {
			p.Edition = ""
		} else if p.Edition, err = ParseEdition(*c.Edition); err != nil {
			return old, false, flagErr("--edition", err)
		}
	}
	if c.Number != nil {
		p.Number = *c.Number
	}
	if p.Edition != EditionUpdate && c.Number == nil {
		p.Number = 0
	}
	newEdition := old.Sent() && (p.Edition != old.Edition || p.Number != old.Number)
	if newEdition {
		p.SentOn, p.Channel, p.Receipt, p.Outcome, p.OutcomeOn, p.OutcomeNote = "", "", "", "", "", ""
		p.Protocol, p.ProtocolOn, p.AdoptedAct, p.AdoptedOn = "", "", "", ""
	}
	texts := []struct {
		flag string
		in   *string
		out  *string
	}{
		{"--adopted-act", c.AdoptedAct, &p.AdoptedAct}, {"--protocol", c.Protocol, &p.Protocol},
		{"--receipt", c.Receipt, &p.Receipt}, {"--outcome-note", c.OutcomeNote, &p.OutcomeNote},
	}
	for _, t := range texts {
		if t.in != nil {
			*t.out = CleanText(strings.TrimSpace(*t.in), t.flag == "--outcome-note")
		}
	}
	dates := []struct {
		flag string
		in   *string
		out  *string
	}{
		{"--adopted-on", c.AdoptedOn, &p.AdoptedOn}, {"--protocol-on", c.ProtocolOn, &p.ProtocolOn},
		{"--sent-on", c.SentOn, &p.SentOn}, {"--outcome-on", c.OutcomeOn, &p.OutcomeOn},
	}
	for _, d := range dates {
		if d.in == nil {
			continue
		}
		if *d.out, err = cycleDate(d.flag, *d.in, today); err != nil {
			return old, false, err
		}
	}
	if c.Channel != nil {
		if *c.Channel == "" {
			p.Channel = ""
		} else if p.Channel, err = ParseChannel(*c.Channel); err != nil {
			return old, false, flagErr("--channel", err)
		}
	}
	if c.Outcome != nil {
		if *c.Outcome == "" {
			p.Outcome = ""
		} else if p.Outcome, err = ParsePlanOutcome(*c.Outcome); err != nil {
			return old, false, flagErr("--outcome", err)
		}
	}
	if err := p.Validate(); err != nil {
		return old, false, err
	}
	sent = p.Sent() && (p.SentOn != old.SentOn || newEdition)
	return p, sent, nil
}

// Validate checks that the plan's fields agree with each other.
func (p Plan) Validate() error {
	switch {
	case p.Edition == EditionUpdate && p.Number < 1:
		return errors.New("--number: l'edizione aggiornamento richiede il numero dell'aggiornamento (1 o più)")
	case p.Edition != EditionUpdate && p.Number != 0:
		return errors.New("--number: il numero vale solo per l'edizione aggiornamento")
	case p.Number > 999:
		return fmt.Errorf("--number: numero di aggiornamento %d non plausibile", p.Number)
	case p.Sent() && p.Edition == "":
		return errors.New("--edition: indicare l'edizione (alfa, beta o aggiornamento) del piano trasmesso")
	case !p.Sent() && (p.Channel != "" || p.Receipt != ""):
		return errors.New("--sent-on: canale e ricevuta richiedono la data di trasmissione")
	case !p.Sent() && (p.Outcome != "" || p.OutcomeOn != "" || p.OutcomeNote != ""):
		return errors.New("--sent-on: l'esito della Prefettura richiede la data di trasmissione")
	case p.AdoptedOn != "" && p.Sent() && p.SentOn < p.AdoptedOn:
		return fmt.Errorf("--sent-on: la trasmissione (%s) precede l'adozione (%s)", p.SentOn, p.AdoptedOn)
	case p.ProtocolOn != "" && p.AdoptedOn != "" && p.ProtocolOn < p.AdoptedOn:
		return fmt.Errorf("--protocol-on: il protocollo (%s) precede l'adozione (%s)", p.ProtocolOn, p.AdoptedOn)
	case p.OutcomeOn != "" && p.OutcomeOn < p.SentOn:
		return fmt.Errorf("--outcome-on: l'esito (%s) precede la trasmissione (%s)", p.OutcomeOn, p.SentOn)
	case p.OutcomeOn != "" && (p.Outcome == "" || p.Outcome == OutcomePending):
		return errors.New("--outcome: la data dell'esito richiede l'esito conforme o rilievi")
	case p.Outcome == OutcomeRemarks && p.OutcomeNote == "":
		return errors.New("--outcome-note: l'esito con rilievi richiede il testo dei rilievi")
	}
	return nil
}

// Baseline is the plan as sent: what it described when the transmission
// was recorded. Later changes to these are variations.
type Baseline struct {
	Seq      int       `json:"seq"`
	Edition  Edition   `json:"edition"`
	Number   int       `json:"number,omitempty"`
	SentOn   string    `json:"sent_on"`
	Channel  Channel   `json:"channel,omitempty"`
	Protocol string    `json:"protocol,omitempty"`
	FixedAt  time.Time `json:"fixed_at"`
	// Organisation is the ente's roles (Sindaco, responsabile, referente).
	Organisation Ente `json:"organisation"`
	// Perimeter and inventory: sedi and postazioni as they were.
	Sedi       []Sede       `json:"sedi"`
	Postazioni []Postazione `json:"postazioni"`
	Operators  []Operator   `json:"operators"`
	// Outcomes is the outcome of every measure answered, by scope.
	Outcomes []MeasureOutcome `json:"outcomes"`
}

// EditionLabel is the baseline's edition as written in documents.
func (b Baseline) EditionLabel() string { return EditionLabel(b.Edition, b.Number) }

// MeasureOutcome is the outcome of one measure at one scope.
type MeasureOutcome struct {
	Scope   Scope   `json:"scope"`
	Item    string  `json:"item"`
	Outcome Outcome `json:"outcome"`
}

// MakeBaseline fixes what snap's plan describes now, for the transmission
// of p recorded at at.
func MakeBaseline(snap *Snapshot, p Plan, at time.Time) Baseline {
	b := Baseline{
		Edition: p.Edition, Number: p.Number, SentOn: p.SentOn, Channel: p.Channel, Protocol: p.Protocol, FixedAt: at,
		Organisation: snap.Audit.Ente,
		Sedi:         slices.Clone(snap.Audit.Sedi),
		Postazioni:   slices.Clone(snap.Audit.Postazioni),
		Operators:    slices.Clone(snap.Operators),
		Outcomes:     []MeasureOutcome{},
	}
	if b.Sedi == nil {
		b.Sedi = []Sede{}
	}
	if b.Postazioni == nil {
		b.Postazioni = []Postazione{}
	}
	if b.Operators == nil {
		b.Operators = []Operator{}
	}
	for _, a := range snap.Answers {
		it := snap.Catalogue.Item(a.Item)
		if it == nil {
			continue
		}
		if o := a.Outcome(it); o != OutcomeNone {
			b.Outcomes = append(b.Outcomes, MeasureOutcome{Scope: a.Scope, Item: a.Item, Outcome: o})
		}
	}
	return b
}

// EditionInForce is the last edition transmitted on or before day
// (AAAA-MM-GG), or nil.
func EditionInForce(baselines []Baseline, day string) *Baseline {
	var best *Baseline
	for i := range baselines {
		b := &baselines[i]
		if b.SentOn <= day && (best == nil || b.SentOn > best.SentOn || b.SentOn == best.SentOn && b.Seq > best.Seq) {
			best = b
		}
	}
	return best
}

// flagErr prefixes a rule's message with the CLI flag it is about.
func flagErr(flag string, err error) error { return fmt.Errorf("%s: %w", flag, err) }

// dateNames are the Italian names of the cycle's date flags.
var dateNames = map[string]string{
	"--adopted-on": "data di adozione", "--protocol-on": "data del protocollo", "--sent-on": "data di trasmissione",
	"--outcome-on": "data dell'esito", "--sco-delivered": "data di consegna della SCO", "--trained-on": "data della formazione",
	"--on": "data", "--at": "data dell'evento", "--notified": "data della notifica", "--date": "data",
}

// cycleDate normalises a date of the cycle (AAAA-MM-GG or GG/MM/AAAA),
// refusing dates after today; "" clears.
func cycleDate(field, s, today string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	name := dateNames[field]
	if name == "" {
		name = "data"
	}
	d, err := NormaliseDate(name, s)
	if err != nil {
		return "", flagErr(field, err)
	}
	if today != "" && d > today {
		return "", fmt.Errorf("%s: la data %s è nel futuro (oggi è %s)", field, d, today)
	}
	return d, nil
}

// addDays adds n days to an AAAA-MM-GG date.
func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// ItalianDate writes AAAA-MM-GG as GG/MM/AAAA; other text is returned as is.
func ItalianDate(day string) string {
	if t, err := time.Parse(time.DateOnly, day); err == nil {
		return t.Format("02/01/2006")
	}
	if t, err := time.Parse("2006-01-02T15:04", day); err == nil {
		return t.Format("02/01/2006 15:04")
	}
	return day
}

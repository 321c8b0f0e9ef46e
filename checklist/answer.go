package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Outcome is the value of an esito answer.
type Outcome string

const (
	OutcomeYes           Outcome = "si"
	OutcomeNo            Outcome = "no"
	OutcomePartial       Outcome = "parziale"
	OutcomeNotApplicable Outcome = "na"
	// OutcomeNone is an item not answered yet ("non verificato").
	OutcomeNone Outcome = ""
)

// Outcomes lists the answerable outcomes.
var Outcomes = []Outcome{OutcomeYes, OutcomeNo, OutcomePartial, OutcomeNotApplicable}

// Label is the Italian display name.
func (o Outcome) Label() string {
	switch o {
	case OutcomeYes:
		return "Sì"
	case OutcomeNo:
		return "No"
	case OutcomePartial:
		return "Parziale"
	case OutcomeNotApplicable:
		return "Non applicabile"
	case OutcomeNone:
		return "Non verificato"
	}
	return string(o)
}

// ParseOutcome accepts the CLI spellings (si, sì, no, parziale, na, n/a).
func ParseOutcome(s string) (Outcome, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "si", "sì", "s":
		return OutcomeYes, nil
	case "no", "n":
		return OutcomeNo, nil
	case "parziale", "p":
		return OutcomePartial, nil
	case "na", "n/a", "non applicabile", "x":
		return OutcomeNotApplicable, nil
	}
	return "", fmt.Errorf("esito %q non valido: usare si, no, parziale o na", s)
}

// Answer is the current answer to one item at one scope.
type Answer struct {
	Scope Scope  `json:"scope"`
	Item  string `json:"item"`
	// Value is the answer in its canonical text form: an Outcome for esito
	// items, a decimal number, free text, a YYYY-MM-DD date or a choice ID.
	Value  string    `json:"value"`
	Note   string    `json:"note,omitempty"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	// Rev counts the changes to this answer; it lets a writer detect that
	// someone else changed the answer since it was read.
	Rev int `json:"rev"`
}

// Outcome is what the answer means as a measure: the esito itself, or the
// outcome of the chosen choice; OutcomeNone for answers that say nothing
// about implementation (numbers, text, dates, descriptive choices).
//
// For a negative question (compliant_answer: no) the answer is turned into
// what it means for the measure: "no" is the measure in place (OutcomeYes),
// "sì" the measure missing (OutcomeNo); parziale and na are unchanged.
func (a Answer) Outcome(it *Item) Outcome {
	switch it.Answer.Kind {
	case KindOutcome, "":
		o := Outcome(a.Value)
		if it.Negative() {
			switch o {
			case OutcomeYes:
				return OutcomeNo
			case OutcomeNo:
				return OutcomeYes
			}
		}
		return o
	case KindChoice:
		if c := it.Answer.Choice(a.Value); c != nil {
			return c.Outcome
		}
	}
	return OutcomeNone
}

// ErrNeedsJustification is returned when a "non applicabile" answer has no note.
var ErrNeedsJustification = errors.New("la risposta \"non applicabile\" richiede una nota di giustificazione")

// NormaliseValue checks a raw answer against the item's answer kind and
// returns its canonical form. A "non applicabile" answer needs a note.
func NormaliseValue(it *Item, raw, note string) (string, error) {
	raw = strings.TrimSpace(raw)
	if err := CheckTextLength("risposta", raw); err != nil {
		return "", err
	}
	if err := CheckTextLength("nota", note); err != nil {
		return "", err
	}
	switch it.Answer.Kind {
	case KindOutcome, "":
		o, err := ParseOutcome(raw)
		if err != nil {
			return "", err
		}
		if o == OutcomeNotApplicable && strings.TrimSpace(note) == "" {
			return "", ErrNeedsJustification
		}
		return string(o), nil
	case KindNumber:
		f, err := ParseNumber("la risposta", raw)
		if err != nil {
			return "", err
		}
		return FormatNumber(f), nil
	case KindText:
		if raw == "" {
			return "", errors.New("il testo della risposta è vuoto")
		}
		return raw, nil
	case KindDate:
		return NormaliseDate("data", raw)
	case KindChoice:
		for _, c := range it.Answer.Choices {
			if strings.EqualFold(c.ID, raw) || strings.EqualFold(c.Label, raw) {
				return c.ID, nil
			}
		}
		ids := make([]string, len(it.Answer.Choices))
		for i, c := range it.Answer.Choices {
			ids[i] = c.ID
		}
		return "", fmt.Errorf("scelta %q non valida: usare una tra %s", raw, strings.Join(ids, ", "))
	}
	return "", fmt.Errorf("tipo di risposta %q sconosciuto", it.Answer.Kind)
}

// DisplayValue is the Italian rendering of an answer value for the item.
func DisplayValue(it *Item, value string) string {
	switch it.Answer.Kind {
	case KindOutcome, "":
		return Outcome(value).Label()
	case KindChoice:
		if c := it.Answer.Choice(value); c != nil {
			return c.Label
		}
	case KindNumber:
		if it.Answer.Unit != "" && value != "" {
			return value + " " + it.Answer.Unit
		}
	}
	return value
}

// ChangeKind says what a history entry records.
type ChangeKind string

const (
	ChangeAnswer     ChangeKind = "risposta"
	ChangeNote       ChangeKind = "nota"
	ChangeEvaluation ChangeKind = "valutazione"
	ChangeAudit      ChangeKind = "audit"
	ChangeStatus     ChangeKind = "stato"
	ChangeScope      ChangeKind = "perimetro"
	ChangeRisk       ChangeKind = "rischio"
	ChangeAction     ChangeKind = "azione"
)

// Change is one entry of an audit's append-only history.
type Change struct {
	Seq    uint64     `json:"seq"`
	At     time.Time  `json:"at"`
	Author string     `json:"author"`
	Kind   ChangeKind `json:"kind"`
	// Scope and Item locate the change when it concerns an answer, a note or
	// a section evaluation (Item then holds the section ID).
	Scope  string `json:"scope,omitempty"`
	Item   string `json:"item,omitempty"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Reason string `json:"reason,omitempty"`
}

// Evaluation is the free-text "Valutazione" of one section at one scope, as
// in the DPS documents.
type Evaluation struct {
	Scope   Scope     `json:"scope"`
	Section string    `json:"section"`
	Text    string    `json:"text"`
	Author  string    `json:"author"`
	At      time.Time `json:"at"`
}

// ActionStatus is the state of a remediation action.
type ActionStatus string

const (
	ActionToStart    ActionStatus = "da_avviare"
	ActionInProgress ActionStatus = "in_corso"
	ActionDone       ActionStatus = "completata"
)

// Label is the Italian display name.
func (s ActionStatus) Label() string {
	switch s {
	case ActionToStart, "":
		return "Da avviare"
	case ActionInProgress:
		return "In corso"
	case ActionDone:
		return "Completata"
	}
	return string(s)
}

// ActionPlan is the editable part of a remediation action, keyed by item:
// who owns it, by when, and how far it is.
type ActionPlan struct {
	Item   string       `json:"item"`
	Owner  string       `json:"owner"`
	Due    string       `json:"due"` // YYYY-MM-DD
	Status ActionStatus `json:"status"`
}

// ActionStatuses are the states of a remediation action, in order.
var ActionStatuses = []ActionStatus{ActionToStart, ActionInProgress, ActionDone}

// CheckActionPlan validates a remediation action's owner, due date and
// status against the catalogue and returns it normalised: owner cleaned,
// due date as AAAA-MM-GG (AAAA-MM-GG and GG/MM/AAAA accepted, empty for
// none), an empty status read as "da avviare". Storage, the CLI and the
// TUI form call it, so the same input gives the same Italian message.
func CheckActionPlan(c *Catalogue, p ActionPlan) (ActionPlan, error) {
	p.Item = strings.TrimSpace(p.Item)
	p.Owner, p.Due = CleanText(p.Owner, false), strings.TrimSpace(p.Due)
	if p.Status == "" {
		p.Status = ActionToStart
	}
	if !slices.Contains(ActionStatuses, p.Status) {
		return p, fmt.Errorf("stato %q non valido: usare da_avviare, in_corso o completata", p.Status)
	}
	if p.Due != "" {
		due, err := NormaliseDate("scadenza", p.Due)
		if err != nil {
			return p, err
		}
		p.Due = due
	}
	if c != nil && c.Item(p.Item) == nil {
		return p, fmt.Errorf("misura %q non presente nel catalogo %s", p.Item, c.Key())
	}
	return p, nil
}

// RiskOverride replaces a threat's default probability and impact for one
// audit; the reason is required and kept in the history.
type RiskOverride struct {
	Threat      string `json:"threat"`
	Probability int    `json:"probability"`
	Impact      int    `json:"impact"`
	Reason      string `json:"reason"`
}

// CheckRiskOverride validates a per-audit override against the catalogue
// and returns it normalised (reason trimmed). Probability and impact both
// zero ask to remove the override and restore the catalogue's values; a
// reason is required either way. The CLI, the TUI form and storage call
// it, so the same input gives the same Italian message everywhere.
func CheckRiskOverride(c *Catalogue, o RiskOverride) (RiskOverride, error) {
	o.Threat = strings.TrimSpace(o.Threat)
	o.Reason = strings.TrimSpace(o.Reason)
	if !c.HasRiskModel() {
		return o, fmt.Errorf("il catalogo %s non ha un modello di rischio: non ci sono minacce da modificare", c.Key())
	}
	if c.Threat(o.Threat) == nil {
		return o, fmt.Errorf("minaccia %q non presente nel catalogo %s", o.Threat, c.Key())
	}
	if o.Probability != 0 || o.Impact != 0 {
		if err := CheckScaleValue(c.Risk.Probability, o.Probability, "probabilità"); err != nil {
			return o, err
		}
		if err := CheckScaleValue(c.Risk.Impact, o.Impact, "impatto"); err != nil {
			return o, err
		}
	}
	if o.Reason == "" {
		return o, errors.New("la modifica di probabilità e impatto richiede una motivazione")
	}
	return o, nil
}

// CheckScaleValue checks that value is a level of the scale; what names
// the scale ("probabilità", "impatto").
func CheckScaleValue(levels []ScaleLevel, value int, what string) error {
	if value < 1 || value > len(levels) {
		return fmt.Errorf("%s %d fuori scala: deve essere tra 1 e %d", what, value, len(levels))
	}
	return nil
}

package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// OperatorRole is the basis on which an operator holds an SCO (Smart Card
// Operatore): circ. 4/2017 gives it to ufficiali d'anagrafe or their
// formal delegates.
type OperatorRole string

const (
	RoleRegistrar OperatorRole = "ufficiale"
	RoleDelegate  OperatorRole = "delegato"
)

// ParseOperatorRole accepts ufficiale or delegato.
func ParseOperatorRole(s string) (OperatorRole, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "ufficiale", "ufficiale d'anagrafe", "ufficiale-anagrafe":
		return RoleRegistrar, nil
	case "delegato":
		return RoleDelegate, nil
	}
	return "", fmt.Errorf("ruolo %q non valido: usare ufficiale o delegato", s)
}

// Label is the Italian display name.
func (r OperatorRole) Label() string {
	switch r {
	case RoleRegistrar:
		return "ufficiale d'anagrafe"
	case RoleDelegate:
		return "delegato"
	}
	return string(r)
}

// Operator is one entry of the operator register.
type Operator struct {
	ID   string       `json:"id"`
	Name string       `json:"name"`
	Role OperatorRole `json:"role"`
	// Act is the delegation act (for a delegato) or the appointment.
	Act          string   `json:"act,omitempty"`
	SCO          string   `json:"sco,omitempty"` // serial of the smart card
	SCODelivered string   `json:"sco_delivered,omitempty"`
	Verbale      string   `json:"verbale,omitempty"` // verbale di consegna
	TrainedOn    string   `json:"trained_on,omitempty"`
	Postazioni   []string `json:"postazioni,omitempty"`
	RevokedOn    string   `json:"revoked_on,omitempty"`
}

// Active reports whether the operator was not revoked on day.
func (o Operator) Active(day string) bool { return o.RevokedOn == "" || o.RevokedOn > day }

// Findings are what is wrong with an operator's entry, in Italian; an
// operator holding an SCO without a role basis is the main one.
func (o Operator) Findings() []string {
	var out []string
	if o.SCO != "" && o.RevokedOn == "" {
		if o.Role == RoleDelegate && strings.TrimSpace(o.Act) == "" {
			out = append(out, "SCO assegnata a un delegato senza atto di delega (circ. 4/2017)")
		}
		if o.SCODelivered == "" {
			out = append(out, "SCO senza data di consegna")
		}
	}
	return out
}

// OperatorSummary is the one-line text of an operator kept in the history.
func OperatorSummary(o Operator) string {
	parts := []string{o.Name, o.Role.Label()}
	add := func(label, v string) {
		switch {
		case v == "":
		case len(v) > len(label) && strings.EqualFold(v[:len(label)+1], label+" "):
			parts = append(parts, v) // "SCO 0991-0001", not "SCO SCO 0991-0001"
		default:
			parts = append(parts, label+" "+v)
		}
	}
	add("atto", o.Act)
	add("SCO", o.SCO)
	add("consegnata il", o.SCODelivered)
	add("verbale", o.Verbale)
	add("formazione", o.TrainedOn)
	add("postazioni", strings.Join(o.Postazioni, ", "))
	add("revocato il", o.RevokedOn)
	return strings.Join(parts, "; ")
}

// NormaliseOperator checks a new or changed operator against the audit
// and returns it in canonical form (trimmed texts, AAAA-MM-GG dates, the
// audit's spelling of postazione codes). Errors name the CLI field.
func NormaliseOperator(o Operator, a *Audit, today string) (Operator, error) {
	o.Name = CleanText(strings.TrimSpace(o.Name), false)
	o.Act = CleanText(strings.TrimSpace(o.Act), false)
	o.SCO = CleanText(strings.TrimSpace(o.SCO), false)
	o.Verbale = CleanText(strings.TrimSpace(o.Verbale), false)
	if o.Name == "" {
		return o, errors.New("--name: nome dell'operatore mancante")
	}
	if len(o.Name) > 200 {
		return o, errors.New("--name: nome dell'operatore troppo lungo (al massimo 200 caratteri)")
	}
	role, err := ParseOperatorRole(string(o.Role))
	if err != nil {
		return o, flagErr("--role", err)
	}
	o.Role = role
	for _, d := range []struct {
		flag string
		v    *string
	}{{"--sco-delivered", &o.SCODelivered}, {"--trained-on", &o.TrainedOn}, {"--on", &o.RevokedOn}} {
		if *d.v, err = cycleDate(d.flag, *d.v, today); err != nil {
			return o, err
		}
	}
	if o.SCODelivered != "" && o.SCO == "" {
		return o, errors.New("--sco: la data di consegna richiede il numero di serie della SCO")
	}
	if o.RevokedOn != "" && o.SCODelivered != "" && o.RevokedOn < o.SCODelivered {
		return o, fmt.Errorf("--on: la revoca (%s) precede la consegna della SCO (%s)", o.RevokedOn, o.SCODelivered)
	}
	var codes []string
	for _, c := range o.Postazioni {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		p := a.FindPostazione(c)
		if p == nil {
			return o, fmt.Errorf("--postazione: la postazione %q non è nell'audit", c)
		}
		if !slices.Contains(codes, p.Code) {
			codes = append(codes, p.Code)
		}
	}
	o.Postazioni = codes
	return o, nil
}

// RevokeOperator records the revocation of o on day.
func RevokeOperator(o Operator, a *Audit, day, today string) (Operator, error) {
	if o.RevokedOn != "" {
		return o, fmt.Errorf("l'operatore %s è già stato revocato il %s", o.ID, o.RevokedOn)
	}
	if strings.TrimSpace(day) == "" {
		return o, errors.New("--on: data della revoca mancante")
	}
	o.RevokedOn = day
	return NormaliseOperator(o, a, today)
}

// Areas lists the areas an event can hit (the threats' impact areas), in
// their canonical order.
var Areas = []ImpactArea{AreaConfidentiality, AreaIntegrity, AreaAvailability}

// Label is the Italian display name.
func (a ImpactArea) Label() string {
	switch a {
	case AreaConfidentiality:
		return "riservatezza"
	case AreaIntegrity:
		return "integrità"
	case AreaAvailability:
		return "disponibilità"
	}
	return string(a)
}

// ParseAreas reads a comma-separated list of areas (accents optional).
func ParseAreas(s string) ([]ImpactArea, error) {
	var out []ImpactArea
	for _, part := range strings.Split(s, ",") {
		v := strings.ToLower(strings.TrimSpace(part))
		v = strings.NewReplacer("à", "a", "á", "a").Replace(v)
		if v == "" {
			continue
		}
		a := ImpactArea(v)
		if !slices.Contains(Areas, a) {
			return nil, fmt.Errorf("--areas: area %q non valida: usare riservatezza, integrita, disponibilita", part)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y ImpactArea) int { return slices.Index(Areas, x) - slices.Index(Areas, y) })
	return out, nil
}

// Recipient is who an event was notified to.
type Recipient string

const (
	NotifyPrefettura Recipient = "prefettura"
	NotifyHelpDesk   Recipient = "helpdesk"
	NotifyPolice     Recipient = "forze-ordine"
	NotifyGarante    Recipient = "garante"
)

// Recipients lists the recipients in their canonical order.
var Recipients = []Recipient{NotifyPrefettura, NotifyHelpDesk, NotifyPolice, NotifyGarante}

// Label is the Italian display name.
func (r Recipient) Label() string {
	switch r {
	case NotifyPrefettura:
		return "Prefettura"
	case NotifyHelpDesk:
		return "help desk CIE"
	case NotifyPolice:
		return "forze dell'ordine"
	case NotifyGarante:
		return "Garante privacy"
	}
	return string(r)
}

// Notice is one notification of an event: to whom and when (AAAA-MM-GG or
// AAAA-MM-GGTHH:MM).
type Notice struct {
	To Recipient `json:"to"`
	At string    `json:"at"`
}

// ParseNotices reads "prefettura,garante@2026-03-05T10:00": recipients,
// each optionally with when it was notified (the event's time otherwise).
func ParseNotices(s, eventAt, today string) ([]Notice, error) {
	var out []Notice
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		who, when, _ := strings.Cut(part, "@")
		r := Recipient(strings.ToLower(strings.TrimSpace(who)))
		if r == "forze dell'ordine" || r == "forze_ordine" {
			r = NotifyPolice
		}
		if !slices.Contains(Recipients, r) {
			return nil, fmt.Errorf("--notified: destinatario %q non valido: usare prefettura, helpdesk, forze-ordine o garante (con @DATA facoltativa)", who)
		}
		at := eventAt
		if strings.TrimSpace(when) != "" {
			var err error
			if at, err = ParseMoment("--notified", when, today); err != nil {
				return nil, err
			}
		}
		if at < eventAt && !strings.HasPrefix(eventAt, at) {
			return nil, fmt.Errorf("--notified: la notifica a %s (%s) precede l'evento (%s)", r.Label(), at, eventAt)
		}
		out = slices.DeleteFunc(out, func(n Notice) bool { return n.To == r })
		out = append(out, Notice{To: r, At: at})
	}
	slices.SortFunc(out, func(x, y Notice) int { return slices.Index(Recipients, x.To) - slices.Index(Recipients, y.To) })
	return out, nil
}

// ParseMoment reads a date with an optional time: AAAA-MM-GG[THH:MM] or
// GG/MM/AAAA[ HH:MM], returned as AAAA-MM-GG or AAAA-MM-GGTHH:MM and not
// after today.
func ParseMoment(field, s, today string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%s: data mancante", field)
	}
	day, clock, hasClock := strings.Cut(strings.Replace(s, " ", "T", 1), "T")
	d, err := cycleDate(field, day, today)
	if err != nil {
		return "", err
	}
	if !hasClock {
		return d, nil
	}
	t, err := time.Parse("15:04", strings.TrimSpace(clock))
	if err != nil {
		return "", fmt.Errorf("%s: ora %q non valida (HH:MM)", field, clock)
	}
	return d + "T" + t.Format("15:04"), nil
}

// EventStatus is whether an event is still being handled.
type EventStatus string

const (
	EventOpen   EventStatus = "aperto"
	EventClosed EventStatus = "chiuso"
)

// SecurityEvent is one entry of the security-event register.
type SecurityEvent struct {
	ID          string       `json:"id"`
	At          string       `json:"at"` // AAAA-MM-GG or AAAA-MM-GGTHH:MM
	Scope       Scope        `json:"scope"`
	Threat      string       `json:"threat,omitempty"`
	Description string       `json:"description"`
	Areas       []ImpactArea `json:"areas,omitempty"`
	Actions     string       `json:"actions,omitempty"`
	Notified    []Notice     `json:"notified,omitempty"`
	Status      EventStatus  `json:"status"`
	ClosedOn    string       `json:"closed_on,omitempty"`
	CloseNote   string       `json:"close_note,omitempty"`
}

// Day is the event's date, AAAA-MM-GG.
func (e SecurityEvent) Day() string { return e.At[:min(len(e.At), 10)] }

// AreasLabel lists the areas hit, in Italian.
func (e SecurityEvent) AreasLabel() string {
	parts := make([]string, len(e.Areas))
	for i, a := range e.Areas {
		parts[i] = a.Label()
	}
	return strings.Join(parts, ", ")
}

// NoticesLabel lists who was notified and when, in Italian.
func (e SecurityEvent) NoticesLabel() string {
	parts := make([]string, len(e.Notified))
	for i, n := range e.Notified {
		parts[i] = n.To.Label() + " (" + ItalianDate(n.At) + ")"
	}
	return strings.Join(parts, ", ")
}

// Notice returns the notification to r, if any.
func (e SecurityEvent) Notice(r Recipient) (Notice, bool) {
	for _, n := range e.Notified {
		if n.To == r {
			return n, true
		}
	}
	return Notice{}, false
}

// GDPRDeadline is the end of the 72 hours of GDPR art. 33 for an event
// that hit confidentiality (a possible personal-data breach), as
// AAAA-MM-GGTHH:MM; "" when they do not apply.
func (e SecurityEvent) GDPRDeadline() string {
	if !slices.Contains(e.Areas, AreaConfidentiality) {
		return ""
	}
	t, err := time.Parse("2006-01-02T15:04", e.At)
	if err != nil {
		t, err = time.Parse(time.DateOnly, e.At)
		if err != nil {
			return ""
		}
		// Without a time the 72 hours run from the end of the day.
		t = t.Add(24*time.Hour - time.Minute)
	}
	return t.Add(72 * time.Hour).Format("2006-01-02T15:04")
}

// GDPRNote says, in Italian, what GDPR art. 33 asks of this event; "" when
// it did not hit confidentiality.
func (e SecurityEvent) GDPRNote() string {
	due := e.GDPRDeadline()
	if due == "" {
		return ""
	}
	n, ok := e.Notice(NotifyGarante)
	switch {
	case !ok:
		return "Se l'evento è una violazione di dati personali, va notificato al Garante entro 72 ore (art. 33 GDPR): entro il " + ItalianDate(due) + "."
	case momentAfter(n.At, due):
		return "Notificato al Garante il " + ItalianDate(n.At) + ", oltre le 72 ore dell'art. 33 GDPR: la notifica deve indicare i motivi del ritardo."
	}
	return "Notificato al Garante il " + ItalianDate(n.At) + ", entro le 72 ore dell'art. 33 GDPR."
}

// momentAfter compares AAAA-MM-GG[THH:MM] moments; a bare date is the
// start of its day.
func momentAfter(a, b string) bool {
	if len(a) == 10 {
		a += "T00:00"
	}
	if len(b) == 10 {
		b += "T00:00"
	}
	return a > b
}

// EventSummary is the one-line text of an event kept in the history.
func EventSummary(e SecurityEvent) string {
	// A sentence's own full stop is dropped before the "; " that joins
	// the parts ("due giorni.; minaccia T11" before).
	parts := []string{ItalianDate(e.At), e.Scope.Label(), sentence(e.Description)}
	add := func(label, v string) {
		if v = sentence(v); v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("minaccia", e.Threat)
	add("aree:", e.AreasLabel())
	add("azioni:", e.Actions)
	add("notificato a", e.NoticesLabel())
	parts = append(parts, "stato "+string(e.Status))
	add("chiuso il", ItalianDate(e.ClosedOn))
	add("nota di chiusura:", e.CloseNote)
	return strings.Join(parts, "; ")
}

// sentence is s without the one full stop that ends it.
func sentence(s string) string { return strings.TrimSuffix(strings.TrimSpace(s), ".") }

// NormaliseEvent checks a new event against the audit and its catalogue.
func NormaliseEvent(e SecurityEvent, a *Audit, cat *Catalogue, today string) (SecurityEvent, error) {
	var err error
	if e.At, err = ParseMoment("--at", e.At, today); err != nil {
		return e, err
	}
	e.Description = CleanText(strings.TrimSpace(e.Description), true)
	e.Actions = CleanText(strings.TrimSpace(e.Actions), true)
	e.CloseNote = CleanText(strings.TrimSpace(e.CloseNote), true)
	e.Threat = strings.TrimSpace(e.Threat)
	switch {
	case e.Description == "":
		return e, errors.New("--description: descrizione dell'evento mancante")
	case len(e.Description) > 4000:
		return e, errors.New("--description: descrizione troppo lunga (al massimo 4000 caratteri)")
	}
	if e.Scope.Kind == "" {
		e.Scope = EnteScope
	}
	switch e.Scope.Kind {
	case ScopePostazione:
		if p := a.FindPostazione(e.Scope.Name); p != nil {
			e.Scope.Name = p.Code
		}
	case ScopeSede:
		if sd := a.FindSede(e.Scope.Name); sd != nil {
			e.Scope.Name = sd.Name
		}
	}
	if !a.HasScope(e.Scope) {
		return e, fmt.Errorf("--scope: %s non è nell'audit", e.Scope.Label())
	}
	if e.Threat != "" && cat != nil {
		t := cat.Threat(e.Threat)
		if t == nil {
			for i := range cat.Threats {
				if strings.EqualFold(cat.Threats[i].ID, e.Threat) {
					t = &cat.Threats[i]
				}
			}
		}
		if t == nil {
			return e, fmt.Errorf("--threat: minaccia %q non presente nel catalogo %s", e.Threat, cat.Key())
		}
		e.Threat = t.ID
	}
	for _, n := range e.Notified {
		if momentAfter(e.At, n.At) && !strings.HasPrefix(e.At, n.At) {
			return e, fmt.Errorf("--notified: la notifica a %s (%s) precede l'evento (%s)", n.To.Label(), n.At, e.At)
		}
	}
	if e.Status == "" {
		e.Status = EventOpen
	}
	if e.ClosedOn != "" {
		if e.ClosedOn, err = cycleDate("--on", e.ClosedOn, today); err != nil {
			return e, err
		}
		if e.ClosedOn < e.Day() {
			return e, fmt.Errorf("--on: la chiusura (%s) precede l'evento (%s)", e.ClosedOn, e.Day())
		}
		e.Status = EventClosed
	}
	return e, nil
}

// CloseEvent closes e on day with an optional note.
func CloseEvent(e SecurityEvent, a *Audit, cat *Catalogue, day, note, today string) (SecurityEvent, error) {
	if e.Status == EventClosed {
		return e, fmt.Errorf("l'evento %s è già chiuso dal %s", e.ID, e.ClosedOn)
	}
	if strings.TrimSpace(day) == "" {
		return e, errors.New("--on: data della chiusura mancante")
	}
	e.ClosedOn, e.CloseNote = day, note
	return NormaliseEvent(e, a, cat, today)
}

// SameID compares register ids (op-1, ev-2) ignoring case.
func SameID(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }

// CycleRecords is a cycle to record at once (storage.Store.RecordCycle):
// the operators, the plan changes, the events and their closings, in that
// order.
type CycleRecords struct {
	Operators []Operator
	Plan      []PlanChange
	Events    []SecurityEvent
	Closes    []EventClose
}

// EventClose closes the event with the given id on a day, with a note.
type EventClose struct{ ID, On, Note string }

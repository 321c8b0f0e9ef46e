package checklist

import (
	"fmt"
	"strings"
	"time"
)

// Status is the life-cycle state of an audit.
type Status string

const (
	StatusDraft      Status = "bozza"
	StatusInProgress Status = "in_corso"
	StatusClosed     Status = "chiuso"
)

// Label is the Italian display name.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Bozza"
	case StatusInProgress:
		return "In corso"
	case StatusClosed:
		return "Chiuso"
	}
	return string(s)
}

// Ente is the comune (or other body) whose CIE workstations are audited.
type Ente struct {
	Name                  string `json:"name"`
	ISTAT                 string `json:"istat"`
	Province              string `json:"province"`
	Prefettura            string `json:"prefettura"`
	Population            int    `json:"population"`
	Sindaco               string `json:"sindaco"`
	ResponsabileSicurezza string `json:"responsabile_sicurezza"`
	ReferenteCIE          string `json:"referente_cie"`
}

// Sede is a physical site with one or more CIE workstations. Its Name is its
// identity inside the audit (scope "sede:NAME").
type Sede struct {
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Rooms   []string `json:"rooms,omitempty"`
}

// Office says whether a workstation serves the public or the back office.
type Office string

const (
	OfficeFront Office = "front"
	OfficeBack  Office = "back"
)

// Label is the Italian display name.
func (o Office) Label() string {
	switch o {
	case OfficeFront:
		return "Front office"
	case OfficeBack:
		return "Back office"
	}
	return string(o)
}

// Inventory is the hardware of a CIE workstation (kit of circ. 4/2017).
// Each field holds a free description, typically model and serial number.
type Inventory struct {
	PC               string `json:"pc"`
	LettoreImpronte  string `json:"lettore_impronte"`
	LettoreSmartCard string `json:"lettore_smart_card"`
	Multifunzione    string `json:"multifunzione"`
	LettoreBarcode   string `json:"lettore_barcode"`
	Altro            string `json:"altro"`
}

// Postazione is a CIE issuing workstation. Its Code, assigned by the
// Ministry, is its identity inside the audit (scope "postazione:CODE").
type Postazione struct {
	Code     string    `json:"code"`
	Sede     string    `json:"sede"`
	Room     string    `json:"room,omitempty"`
	Office   Office    `json:"office,omitempty"`
	Hardware Inventory `json:"hardware"`
	OS       string    `json:"os,omitempty"`
	Notes    string    `json:"notes,omitempty"`
}

// SignOff records the closing of an audit.
type SignOff struct {
	Auditors []string `json:"auditors"`
	Place    string   `json:"place"`
	Date     string   `json:"date"` // YYYY-MM-DD
}

// Audit is one inspection of an ente against a pinned catalogue.
type Audit struct {
	ID       string   `json:"id"`
	Ente     Ente     `json:"ente"`
	Year     int      `json:"year"`
	Auditors []string `json:"auditors"`
	// StartDate and EndDate are calendar dates, YYYY-MM-DD.
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
	Status    Status `json:"status"`

	CatalogueID      string `json:"catalogue_id"`
	CatalogueVersion string `json:"catalogue_version"`
	CatalogueDigest  string `json:"catalogue_digest"`

	Sedi       []Sede       `json:"sedi"`
	Postazioni []Postazione `json:"postazioni"`
	SignOff    *SignOff     `json:"sign_off,omitempty"`
	// Predecessor is the ID of the audit this one was carried from (the
	// previous year's), empty for an audit started from nothing.
	Predecessor string `json:"predecessor,omitempty"`
	// Logo is the ente's stemma on the plan's cover, nil when none was
	// given (cieaudit audit set --logo; the bytes are stored beside the
	// audit, see CheckLogo).
	Logo *Logo `json:"logo,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is the time of the last change to the audit or any of its
	// answers; exports use it as their "generated at".
	UpdatedAt time.Time `json:"updated_at"`
}

// CatalogueKey is the pinned catalogue identity, "id@version".
func (a *Audit) CatalogueKey() string { return a.CatalogueID + "@" + a.CatalogueVersion }

// Sede returns the sede with the given name, or nil.
func (a *Audit) Sede(name string) *Sede {
	for i := range a.Sedi {
		if a.Sedi[i].Name == name {
			return &a.Sedi[i]
		}
	}
	return nil
}

// Postazione returns the workstation with the given code, or nil.
func (a *Audit) Postazione(code string) *Postazione {
	for i := range a.Postazioni {
		if a.Postazioni[i].Code == code {
			return &a.Postazioni[i]
		}
	}
	return nil
}

// Scopes returns every scope of the audit: the ente, then each sede, then
// each postazione, in the order they were added.
func (a *Audit) Scopes() []Scope {
	scopes := []Scope{EnteScope}
	for _, s := range a.Sedi {
		scopes = append(scopes, Scope{Kind: ScopeSede, Name: s.Name})
	}
	for _, p := range a.Postazioni {
		scopes = append(scopes, Scope{Kind: ScopePostazione, Name: p.Code})
	}
	return scopes
}

// Parents returns the scopes whose answers a scope inherits: a postazione
// inherits from its sede and from the ente, a sede from the ente.
func (a *Audit) Parents(s Scope) []Scope {
	switch s.Kind {
	case ScopeSede:
		return []Scope{EnteScope}
	case ScopePostazione:
		if p := a.Postazione(s.Name); p != nil && p.Sede != "" {
			return []Scope{{Kind: ScopeSede, Name: p.Sede}, EnteScope}
		}
		return []Scope{EnteScope}
	}
	return nil
}

// CanonicalScope returns s with the sede name or postazione code spelled as
// the audit stores it: codes are compared ignoring case (see FindSede and
// FindPostazione), so "postazione:pg01" typed on the command line names the
// stored "PG01". A scope not in the audit is returned unchanged.
func (a *Audit) CanonicalScope(s Scope) Scope {
	switch s.Kind {
	case ScopeSede:
		if sd := a.FindSede(s.Name); sd != nil {
			s.Name = sd.Name
		}
	case ScopePostazione:
		if p := a.FindPostazione(s.Name); p != nil {
			s.Name = p.Code
		}
	}
	return s
}

// HasScope reports whether the scope exists in the audit.
func (a *Audit) HasScope(s Scope) bool {
	switch s.Kind {
	case ScopeEnte:
		return s.Name == ""
	case ScopeSede:
		return a.Sede(s.Name) != nil
	case ScopePostazione:
		return a.Postazione(s.Name) != nil
	}
	return false
}

// Scope identifies where an answer was given: the ente, a sede by name or a
// postazione by its Ministry code.
type Scope struct {
	Kind ScopeKind
	Name string
}

// EnteScope is the scope of the whole ente.
var EnteScope = Scope{Kind: ScopeEnte}

// String is the stable textual form used in the CLI, storage keys and
// exports: "ente", "sede:NAME", "postazione:CODE".
func (s Scope) String() string {
	if s.Kind == ScopeEnte {
		return string(ScopeEnte)
	}
	return string(s.Kind) + ":" + s.Name
}

// Label is the Italian display name, e.g. "Postazione 001234".
func (s Scope) Label() string {
	if s.Kind == ScopeEnte {
		return "Ente"
	}
	kind := s.Kind.Label()
	if len(s.Name) > len(kind) && strings.EqualFold(s.Name[:len(kind)+1], kind+" ") {
		// "Sede Unica" is not "Sede Sede Unica".
		return s.Name
	}
	return kind + " " + s.Name
}

// ToScope is "all'Ente", "alla Sede Municipio", "alla Postazione PG01": the
// scope after the Italian preposition a.
func ToScope(s Scope) string {
	if s.Kind == ScopeEnte {
		return "all'Ente"
	}
	return "alla " + s.Label()
}

// ParseScope parses "ente", "sede:NAME" or "postazione:CODE".
func ParseScope(s string) (Scope, error) {
	if s == string(ScopeEnte) {
		return EnteScope, nil
	}
	kind, name, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || (ScopeKind(kind) != ScopeSede && ScopeKind(kind) != ScopePostazione) {
		return Scope{}, fmt.Errorf("ambito %q non valido: usare ente, sede:NOME o postazione:CODICE", s)
	}
	return Scope{Kind: ScopeKind(kind), Name: name}, nil
}

// MarshalText implements encoding.TextMarshaler.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

package checklist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Category is the kind of measure: physical, technical or organisational.
type Category string

const (
	CategoryPhysical       Category = "fisica"
	CategoryTechnical      Category = "tecnica"
	CategoryOrganisational Category = "organizzativa"
)

// Categories lists the categories in the order reports present them.
var Categories = []Category{CategoryPhysical, CategoryTechnical, CategoryOrganisational}

// Label is the Italian display name.
func (c Category) Label() string {
	switch c {
	case CategoryPhysical:
		return "Fisica"
	case CategoryTechnical:
		return "Tecnica"
	case CategoryOrganisational:
		return "Organizzativa"
	}
	return string(c)
}

// ScopeKind says where a measure is answered: once for the ente, once per
// sede (the physical premises) or once per postazione (the workstation).
type ScopeKind string

const (
	ScopeEnte       ScopeKind = "ente"
	ScopeSede       ScopeKind = "sede"
	ScopePostazione ScopeKind = "postazione"
)

// ScopeKinds lists the scope kinds from the widest to the narrowest.
var ScopeKinds = []ScopeKind{ScopeEnte, ScopeSede, ScopePostazione}

// Label is the Italian display name.
func (k ScopeKind) Label() string {
	switch k {
	case ScopeEnte:
		return "Ente"
	case ScopeSede:
		return "Sede"
	case ScopePostazione:
		return "Postazione"
	}
	return string(k)
}

// Level is the protection level a measure belongs to, as in the AgID
// "misure minime" (minimo, standard, alto).
type Level string

const (
	LevelMinimum  Level = "minimo"
	LevelStandard Level = "standard"
	LevelHigh     Level = "alto"
)

// Levels lists the levels from the lowest to the highest.
var Levels = []Level{LevelMinimum, LevelStandard, LevelHigh}

// Label is the Italian display name.
func (l Level) Label() string {
	switch l {
	case LevelMinimum:
		return "Minimo"
	case LevelStandard:
		return "Standard"
	case LevelHigh:
		return "Alto"
	}
	return string(l)
}

// Origin says where a measure comes from, so that reports can tell legal
// requirements from good practice. The tags follow the legend of the domain
// reference (piano-sicurezza-cie.md §0).
type Origin string

const (
	OriginDecree        Origin = "dm"         // text of D.M. 2/8/2005
	OriginDecreeSummary Origin = "dm-sint"    // D.M. 2/8/2005 as summarised by a secondary source
	OriginAnnexA        Origin = "allegato-a" // Allegato A, confirmed by a source
	OriginCircular      Origin = "circolare"  // Ministry of the Interior circular
	OriginCIE30         Origin = "cie30"      // CIE 3.0 regime (D.M. 23/12/2015 and circulars)
	OriginLegacy        Origin = "storico"    // CIE 1.0/2.0 regime, kept for legacy checks
	OriginInferred      Origin = "inferito"   // good practice, not found in any source text
	// OriginLaw is any other law or regulation (e.g. D.Lgs. 196/2003, GDPR):
	// the item's reference names it, so an item tagged norma must have one.
	OriginLaw Origin = "norma"
)

// Origins lists every known origin tag.
var Origins = []Origin{OriginDecree, OriginDecreeSummary, OriginAnnexA, OriginCircular, OriginCIE30, OriginLaw, OriginLegacy, OriginInferred}

// Label is the Italian display name.
func (o Origin) Label() string {
	switch o {
	case OriginDecree:
		return "D.M. 2/8/2005"
	case OriginDecreeSummary:
		return "D.M. 2/8/2005 (sintesi)"
	case OriginAnnexA:
		return "Allegato A"
	case OriginCircular:
		return "Circolare"
	case OriginCIE30:
		return "Prassi CIE 3.0"
	case OriginLegacy:
		return "Storico CIE 2.0"
	case OriginInferred:
		return "Buona pratica (dedotta)"
	case OriginLaw:
		return "Altra norma"
	}
	return string(o)
}

// normative reports whether the tag names a source that states a duty.
func (o Origin) normative() bool {
	switch o {
	case OriginDecree, OriginDecreeSummary, OriginAnnexA, OriginCircular, OriginCIE30, OriginLaw:
		return true
	}
	return false
}

// Macroprocess is one of the three macroprocessi of Allegato A around which
// the plan is organised (domain reference §2.1).
type Macroprocess string

const (
	MacroRegistry Macroprocess = "mp1" // caricamento INA, today ANPR: the registry data
	MacroIssue    Macroprocess = "mp2" // emissione della CIE
	MacroUse      Macroprocess = "mp3" // uso della CIE
)

// Macroprocesses lists the macroprocessi in the plan's order.
var Macroprocesses = []Macroprocess{MacroRegistry, MacroIssue, MacroUse}

// Label is the Italian display name.
func (m Macroprocess) Label() string {
	switch m {
	case MacroRegistry:
		return "MP1 Anagrafe (INA/ANPR)"
	case MacroIssue:
		return "MP2 Emissione"
	case MacroUse:
		return "MP3 Uso della CIE"
	}
	return string(m)
}

// Description says in a sentence what the macroprocess covers, for the
// plan's perimeter.
func (m Macroprocess) Description() string {
	switch m {
	case MacroRegistry:
		return "Caricamento e allineamento dei dati anagrafici (INA, oggi ANPR) da cui parte la richiesta della carta."
	case MacroIssue:
		return "Emissione della CIE: identificazione del richiedente, acquisizione di foto, impronte e firma, invio della richiesta, consegna."
	case MacroUse:
		return "Uso della CIE: verifica del documento, PIN e PUK, sospensione e revoca, assistenza al titolare."
	}
	return ""
}

// OriginClass is how a report presents where an item comes from.
type OriginClass string

const (
	// ClassNormative: every tag names a normative source.
	ClassNormative OriginClass = "normativa"
	// ClassPartlyInferred: a normative source plus inferred requirements.
	ClassPartlyInferred OriginClass = "in_parte_buona_pratica"
	// ClassGoodPractice: inferred good practice only (possibly with the
	// legacy regime as context).
	ClassGoodPractice OriginClass = "buona_pratica"
	// ClassLegacy: the CIE 1.0/2.0 regime only.
	ClassLegacy OriginClass = "storico"
)

// Label is the Italian text reports print.
func (c OriginClass) Label() string {
	switch c {
	case ClassNormative:
		return "normativa"
	case ClassPartlyInferred:
		return "in parte buona pratica"
	case ClassGoodPractice:
		return "buona pratica"
	case ClassLegacy:
		return "storico"
	}
	return string(c)
}

// CellLabel is Label as a table cell starts it, with a capital letter:
// "Buona pratica", "In parte buona pratica". An unknown class is kept as
// it is.
func (c OriginClass) CellLabel() string {
	switch c {
	case ClassNormative, ClassPartlyInferred, ClassGoodPractice, ClassLegacy:
		l := c.Label()
		return strings.ToUpper(l[:1]) + l[1:]
	}
	return string(c)
}

// ThreatSource is where a threat comes from.
type ThreatSource string

const (
	SourceHuman       ThreatSource = "umano"
	SourceEnvironment ThreatSource = "contesto"
	SourceTools       ThreatSource = "strumenti"
)

// ImpactArea is the security property a threat harms.
type ImpactArea string

const (
	AreaConfidentiality ImpactArea = "riservatezza"
	AreaIntegrity       ImpactArea = "integrita"
	AreaAvailability    ImpactArea = "disponibilita"
)

// AnswerKind is the shape of the answer an item expects.
type AnswerKind string

const (
	KindOutcome AnswerKind = "esito"  // sì / no / parziale / non applicabile
	KindNumber  AnswerKind = "numero" // a decimal number, optionally with a unit
	KindText    AnswerKind = "testo"  // free text
	KindDate    AnswerKind = "data"   // a date, YYYY-MM-DD
	KindChoice  AnswerKind = "scelta" // one of the item's choices
)

// Catalogue is a versioned set of threats and measures. An audit is pinned to
// the exact catalogue (ID, version and digest) it started with.
type Catalogue struct {
	ID       string `yaml:"id" json:"id"`
	Version  string `yaml:"version" json:"version"`
	Title    string `yaml:"title" json:"title"`
	Language string `yaml:"language" json:"language"`
	Source   string `yaml:"source" json:"source"`
	// Risk and Threats are optional: a catalogue without threats is a plain
	// compliance checklist (see HasRiskModel).
	Risk    RiskScale `yaml:"risk" json:"risk"`
	Threats []Threat  `yaml:"threats" json:"threats"`
	// Vulnerabilities name the weaknesses that several measures address:
	// within one vulnerability the strongest measure counts, not the
	// product of all (see docs/rischio.md).
	Vulnerabilities []Vulnerability `yaml:"vulnerabilities" json:"vulnerabilities,omitempty"`
	Sections        []Section       `yaml:"sections" json:"sections"`

	// Digest is the SHA-256 of the catalogue's source bytes, set by Parse.
	Digest string `yaml:"-" json:"digest"`
	// Raw is the source the catalogue was parsed from, byte for byte (its
	// SHA-256 is Digest), set by Parse: the bundle carries it so that an
	// import can store the exact catalogue its audit is pinned to.
	Raw []byte `yaml:"-" json:"-"`

	threatByID map[string]*Threat
	itemByID   map[string]*Item
	vulnByID   map[string]*Vulnerability
}

// RiskScale holds the probability and impact levels, the bands that classify
// a risk value, and the parameters of the mitigation model.
type RiskScale struct {
	Probability []ScaleLevel `yaml:"probability" json:"probability"`
	Impact      []ScaleLevel `yaml:"impact" json:"impact"`
	// Bands classify a risk value (probability × impact, possibly reduced by
	// mitigation). They are ordered from the lowest; a value belongs to the
	// first band whose Max is not below it.
	Bands []Band `yaml:"bands" json:"bands"`
	// PartialFactor is the share of a measure's mitigation that a "parziale"
	// answer earns (e.g. 0.5).
	PartialFactor float64 `yaml:"partial_factor" json:"partial_factor"`
	// MaxMitigation caps the combined mitigation of a threat, in percent: no
	// threat is ever fully eliminated.
	MaxMitigation int `yaml:"max_mitigation" json:"max_mitigation"`
}

// ScaleLevel is one step of the probability or impact scale.
type ScaleLevel struct {
	Value       int    `yaml:"value" json:"value"`
	Label       string `yaml:"label" json:"label"`
	Description string `yaml:"description" json:"description"`
}

// Band is a named risk level such as basso, medio, alto, critico.
type Band struct {
	ID    string  `yaml:"id" json:"id"`
	Label string  `yaml:"label" json:"label"`
	Max   float64 `yaml:"max" json:"max"`
	// Colour is a hex colour used by the TUI matrix and the report.
	Colour string `yaml:"colour" json:"colour"`
}

// Threat is something that can go wrong in the issuing process.
type Threat struct {
	ID          string       `yaml:"id" json:"id"`
	Name        string       `yaml:"name" json:"name"`
	Description string       `yaml:"description" json:"description"`
	Source      ThreatSource `yaml:"source" json:"source"`
	Areas       []ImpactArea `yaml:"areas" json:"areas"`
	Probability int          `yaml:"probability" json:"probability"`
	Impact      int          `yaml:"impact" json:"impact"`
}

// Vulnerability is a weakness that several measures address: measures on
// the same vulnerability are correlated (they fail together), so they do not
// multiply as if independent.
type Vulnerability struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description,omitempty"`
}

// Section groups items as the DPS documents do.
type Section struct {
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Description string `yaml:"description" json:"description"`
	Items       []Item `yaml:"items" json:"items"`
}

// Item is one measure to verify on site.
type Item struct {
	ID       string    `yaml:"id" json:"id"`
	Category Category  `yaml:"category" json:"category"`
	Scope    ScopeKind `yaml:"scope" json:"scope"`
	Level    Level     `yaml:"level" json:"level"`
	// Short is a one-line title for lists; Question is the full question.
	Short     string   `yaml:"short" json:"short"`
	Question  string   `yaml:"question" json:"question"`
	Guidance  string   `yaml:"guidance" json:"guidance"`
	Reference string   `yaml:"reference" json:"reference"`
	Origin    []Origin `yaml:"origin" json:"origin"`
	// Macroprocess lists the macroprocessi the measure belongs to.
	Macroprocess []Macroprocess `yaml:"macroprocess" json:"macroprocess,omitempty"`
	// CompliantAnswer is the esito that means the measure is in place:
	// OutcomeYes (the default) or OutcomeNo for a negative question such
	// as "La stessa credenziale è usata da più persone?".
	CompliantAnswer Outcome `yaml:"compliant_answer" json:"compliant_answer,omitempty"`
	// Vulnerability is the ID of the vulnerability the measure addresses,
	// empty when the measure stands alone.
	Vulnerability string       `yaml:"vulnerability" json:"vulnerability,omitempty"`
	Answer        AnswerSpec   `yaml:"answer" json:"answer"`
	Threats       []ThreatLink `yaml:"threats" json:"threats"`

	// Section is the ID of the section holding the item, set by Parse.
	Section string `yaml:"-" json:"section"`
}

// AnswerSpec describes the answer an item expects. The zero value is an
// esito answer.
type AnswerSpec struct {
	Kind    AnswerKind `yaml:"kind" json:"kind"`
	Unit    string     `yaml:"unit,omitempty" json:"unit,omitempty"`
	Choices []Choice   `yaml:"choices,omitempty" json:"choices,omitempty"`
}

// Choice is one option of a scelta item. Outcome says what the choice means
// as a measure (si, parziale, no), so that choice items count in the risk
// picture like esito items; an empty Outcome means the choice is descriptive.
type Choice struct {
	ID      string  `yaml:"id" json:"id"`
	Label   string  `yaml:"label" json:"label"`
	Outcome Outcome `yaml:"outcome,omitempty" json:"outcome,omitempty"`
}

// ThreatLink says that an item counters a threat, and by how much (percent of
// the threat's risk removed when the measure is fully in place).
type ThreatLink struct {
	Threat     string `yaml:"threat" json:"threat"`
	Mitigation int    `yaml:"mitigation" json:"mitigation"`
}

// Key is the catalogue's pinned identity, "id@version".
func (c *Catalogue) Key() string { return c.ID + "@" + c.Version }

// Threat returns the threat with the given ID, or nil.
func (c *Catalogue) Threat(id string) *Threat {
	c.index()
	return c.threatByID[id]
}

// Vulnerability returns the vulnerability with the given ID, or nil.
func (c *Catalogue) Vulnerability(id string) *Vulnerability {
	c.index()
	return c.vulnByID[id]
}

// HasRiskModel reports whether the catalogue defines threats, and so a
// risk analysis. A catalogue without threats is a plain compliance
// checklist: reports show answers, compliance and non-conformities only.
func (c *Catalogue) HasRiskModel() bool { return len(c.Threats) > 0 }

// Item returns the item with the given ID, or nil.
func (c *Catalogue) Item(id string) *Item {
	c.index()
	return c.itemByID[id]
}

// Items returns every item in catalogue order.
func (c *Catalogue) Items() []*Item {
	var items []*Item
	for si := range c.Sections {
		for ii := range c.Sections[si].Items {
			items = append(items, &c.Sections[si].Items[ii])
		}
	}
	return items
}

// ItemsFor returns the items answered at the given scope kind, in catalogue order.
func (c *Catalogue) ItemsFor(kind ScopeKind) []*Item {
	var items []*Item
	for _, it := range c.Items() {
		if it.Scope == kind {
			items = append(items, it)
		}
	}
	return items
}

// Section returns the section with the given ID, or nil.
func (c *Catalogue) Section(id string) *Section {
	for i := range c.Sections {
		if c.Sections[i].ID == id {
			return &c.Sections[i]
		}
	}
	return nil
}

// Band classifies a risk value into the catalogue's bands. Values above the
// last band's Max fall in the last band.
func (r RiskScale) Band(value float64) Band {
	for _, b := range r.Bands {
		if value <= b.Max+1e-9 {
			return b
		}
	}
	if len(r.Bands) == 0 {
		return Band{}
	}
	return r.Bands[len(r.Bands)-1]
}

// MaxRisk is the highest inherent risk the scales allow.
func (r RiskScale) MaxRisk() int {
	return maxValue(r.Probability) * maxValue(r.Impact)
}

func maxValue(levels []ScaleLevel) int {
	m := 0
	for _, l := range levels {
		m = max(m, l.Value)
	}
	return m
}

// IsNormative reports whether the item rests on at least one normative source
// (decree, annex, circular or the CIE 3.0 rules) rather than only on good
// practice or the legacy regime.
func (it *Item) IsNormative() bool {
	for _, o := range it.Origin {
		if o.normative() {
			return true
		}
	}
	return false
}

// IsPartlyInferred reports whether the item mixes a normative source with
// inferred requirements: a report must not present it as law.
func (it *Item) IsPartlyInferred() bool { return it.IsNormative() && it.IsInferred() }

// OriginClass is how reports present the item's origin: normativa, in parte
// buona pratica, buona pratica or storico.
func (it *Item) OriginClass() OriginClass {
	switch {
	case it.IsPartlyInferred():
		return ClassPartlyInferred
	case it.IsNormative():
		return ClassNormative
	case it.IsInferred():
		return ClassGoodPractice
	}
	return ClassLegacy
}

// IsDuty reports whether a no or parziale answer to the item is a
// non-conformità to a rule rather than a missing good practice: the item
// rests only on normative sources. Such findings are listed first in the
// actions, whatever their residual risk.
func (it *Item) IsDuty() bool { return it.OriginClass() == ClassNormative }

// Negative reports whether the item is a negative question, whose
// compliant answer is no.
func (it *Item) Negative() bool { return it.CompliantAnswer == OutcomeNo }

// FindingLabel is the Italian label of the answer that gave a finding
// with measure outcome o (OutcomeNo or OutcomePartial): "No", "Parziale",
// or for a negative question "Sì (non conforme)", the answer the auditor
// actually gave.
func (it *Item) FindingLabel(o Outcome) string {
	if it.Negative() && o == OutcomeNo {
		return "Sì (non conforme)"
	}
	return o.Label()
}

// MacroprocessLabel is the Italian list of the item's macroprocessi, e.g.
// "MP1 Anagrafe (INA/ANPR), MP2 Emissione".
func (it *Item) MacroprocessLabel() string {
	s := ""
	for i, m := range it.Macroprocess {
		if i > 0 {
			s += ", "
		}
		s += m.Label()
	}
	return s
}

// IsInferred reports whether the item is, at least in part, inferred good
// practice that no source states.
func (it *Item) IsInferred() bool {
	for _, o := range it.Origin {
		if o == OriginInferred {
			return true
		}
	}
	return false
}

// OriginLabel is the Italian description of the item's origin, e.g.
// "Prassi CIE 3.0 + Buona pratica (dedotta)".
func (it *Item) OriginLabel() string {
	s := ""
	for i, o := range it.Origin {
		if i > 0 {
			s += " + "
		}
		s += o.Label()
	}
	return s
}

// OriginSummary is OriginLabel, prefixed "In parte buona pratica: " when
// the item mixes a normative source with inferred requirements, so that
// inferred content is never read as law.
func (it *Item) OriginSummary() string {
	if it.IsPartlyInferred() {
		return "In parte buona pratica: " + it.OriginLabel()
	}
	return it.OriginLabel()
}

// Title is the short text of the item, falling back to its question.
func (it *Item) Title() string {
	if it.Short != "" {
		return it.Short
	}
	return it.Question
}

// Choice returns the choice with the given ID, or nil.
func (a AnswerSpec) Choice(id string) *Choice {
	for i := range a.Choices {
		if a.Choices[i].ID == id {
			return &a.Choices[i]
		}
	}
	return nil
}

func (c *Catalogue) index() {
	if c.itemByID != nil {
		return
	}
	c.threatByID = make(map[string]*Threat, len(c.Threats))
	for i := range c.Threats {
		c.threatByID[c.Threats[i].ID] = &c.Threats[i]
	}
	c.vulnByID = make(map[string]*Vulnerability, len(c.Vulnerabilities))
	for i := range c.Vulnerabilities {
		c.vulnByID[c.Vulnerabilities[i].ID] = &c.Vulnerabilities[i]
	}
	c.itemByID = make(map[string]*Item)
	for si := range c.Sections {
		for ii := range c.Sections[si].Items {
			it := &c.Sections[si].Items[ii]
			it.Section = c.Sections[si].ID
			c.itemByID[it.ID] = it
		}
	}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// String is "title (id@version)".
func (c *Catalogue) String() string { return fmt.Sprintf("%s (%s)", c.Title, c.Key()) }

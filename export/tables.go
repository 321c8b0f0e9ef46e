package export

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// Table is one of the tabular exports. Its name is the CSV file name without
// extension; the same rows make up the XLSX sheet of that name.
type Table string

// The tables, each one row per answer, workstation, scope×threat, action or
// history entry. Every table starts with an audit_id column so that single
// and batch exports have the same columns.
const (
	TableAnswers      Table = "risposte"
	TableWorkstations Table = "postazioni"
	TableRisks        Table = "rischi"
	TableActions      Table = "azioni"
	TableHistory      Table = "storico"
)

// Tables lists every table in bundle order.
var Tables = []Table{TableAnswers, TableWorkstations, TableRisks, TableActions, TableHistory, TableEvents, TableOperators, TableVariations, TableComparison}

// ParseTable accepts a table name with or without the .csv extension.
func ParseTable(s string) (Table, error) {
	for _, t := range Tables {
		if s == string(t) || s == t.FileName() {
			return t, nil
		}
	}
	names := make([]string, len(Tables))
	for i, t := range Tables {
		names[i] = string(t)
	}
	return "", fmt.Errorf("tabella %q sconosciuta: usare una tra %s", s, strings.Join(names, ", "))
}

// FileName is the table's CSV file name, e.g. "risposte.csv".
func (t Table) FileName() string { return string(t) + ".csv" }

// SheetName is the table's XLSX sheet name, e.g. "Risposte".
func (t Table) SheetName() string {
	switch t {
	case TableAnswers:
		return "Risposte"
	case TableWorkstations:
		return "Postazioni"
	case TableRisks:
		return "Rischi"
	case TableActions:
		return "Azioni"
	case TableHistory:
		return "Storico"
	case TableMeasures:
		return "Misure"
	case TableEvents:
		return "Eventi"
	case TableOperators:
		return "Operatori"
	case TableVariations:
		return "Variazioni"
	case TableComparison:
		return "Confronto"
	}
	return string(t)
}

// Column is one column of a table. Names are stable snake_case identifiers:
// scripts depend on them, so they only ever get added, never renamed.
type Column struct {
	Name string
	// Numeric columns hold numbers written by cieaudit itself; they are
	// written as numbers in XLSX and never need the injection guard.
	Numeric bool
	// Date columns hold a day (YYYY-MM-DD), a local time
	// (YYYY-MM-DDTHH:MM) or an instant (RFC 3339): the excel dialect and
	// the XLSX write them as a spreadsheet's dates.
	Date bool
	// Doc is the English description used in docs/export.md.
	Doc string
	// Label turns a stored code into the Italian label people read; the
	// XLSX and the excel CSV dialect write it, rfc4180 keeps the code
	// (docs/export.md, "Labels for people"). Nil keeps the value.
	Label func(string) string
}

// People is the value the XLSX and the excel dialect write for v.
func (c Column) People(v string) string {
	if c.Label == nil {
		return v
	}
	return c.Label(v)
}

// labelOf labels a coded cell with a checklist label function (the same
// the documents print). An empty cell stays empty; a code the function
// does not know is written as it is.
func labelOf[K ~string](label func(K) string) func(string) string {
	return func(v string) string {
		if v == "" {
			return ""
		}
		return label(K(v))
	}
}

// labelList labels every element of a " | "-separated list.
func labelList(label func(string) string) func(string) string {
	return func(v string) string {
		parts := strings.Split(v, listSeparator)
		for i, p := range parts {
			parts[i] = label(p)
		}
		return strings.Join(parts, listSeparator)
	}
}

// The labels of the coded columns without a label column beside them.
var (
	labelYesNo        = labelOf(checklist.Outcome.Label) // "si"/"no" → "Sì"/"No"
	labelOutcome      = labelOf(checklist.Outcome.Label)
	labelCategory     = labelOf(checklist.Category.Label)
	labelLevel        = labelOf(checklist.Level.Label)
	labelOffice       = labelOf(checklist.Office.Label)
	labelOriginClass  = labelOf(checklist.OriginClass.CellLabel)
	labelMacroprocess = labelList(labelOf(checklist.Macroprocess.Label))
	labelAreas        = labelList(labelOf(checklist.ImpactArea.Label))
	labelFindings     = labelList(findingLabel)
)

// findingLabel turns one "scope=outcome" finding of the actions into
// "Sede Municipio: Parziale", the measure outcome as the Esito column
// labels it; anything else is kept as it is.
func findingLabel(v string) string {
	at, outcome, ok := cutLast(v, "=")
	sc, err := checklist.ParseScope(at)
	if !ok || err != nil || !slices.Contains(checklist.Outcomes, checklist.Outcome(outcome)) {
		return v
	}
	return sc.Label() + ": " + checklist.Outcome(outcome).Label()
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// Columns returns the table's columns in order.
func (t Table) Columns() []Column {
	if c, ok := cycleColumns[t]; ok {
		return c
	}
	if t == TableMeasures {
		return measureColumns
	}
	if t == TableComparison {
		return comparisonColumns
	}
	return tableColumns[t]
}

// Header is the column's Italian header for people, used by the XLSX and
// the excel CSV dialect (docs/export.md, "Headers for people"); the
// rfc4180 dialect keeps the stable Name.
func (c Column) Header() string {
	if h, ok := peopleHeaders[c.Name]; ok {
		return h
	}
	return c.Name
}

// Headers returns the table's header row for people (Column.Header).
func (t Table) Headers() []string {
	cols := t.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Header()
	}
	return names
}

// peopleHeaders maps every machine column name to its Italian header: the
// one place where they are defined. A column holding a stored key next to
// its Italian label gets "(codice)" after the label's header. A name means
// the same in every table, so one header serves them all.
var peopleHeaders = map[string]string{
	"audit_id":           "ID audit",
	"scope":              "Ambito (codice)",
	"scope_label":        "Ambito",
	"section_id":         "Sezione",
	"section_title":      "Titolo sezione",
	"item_id":            "ID misura",
	"item_title":         "Misura",
	"category":           "Categoria",
	"level":              "Livello",
	"origin":             "Origine (codice)",
	"origin_label":       "Origine",
	"origin_class":       "Classe di origine",
	"good_practice":      "Buona pratica",
	"value":              "Risposta (codice)",
	"value_label":        "Risposta",
	"outcome":            "Esito",
	"note":               "Nota",
	"author":             "Autore",
	"answered_at":        "Data risposta",
	"rev":                "Modifiche",
	"reference":          "Riferimento",
	"macroprocess":       "Macroprocessi",
	"code":               "Codice postazione",
	"sede":               "Sede",
	"sede_address":       "Indirizzo sede",
	"room":               "Locale",
	"office":             "Tipo ufficio",
	"pc":                 "PC",
	"lettore_impronte":   "Lettore impronte",
	"lettore_smart_card": "Lettore smart card",
	"multifunzione":      "Multifunzione",
	"lettore_barcode":    "Lettore barcode",
	"altro":              "Altro hardware",
	"os":                 "Sistema operativo",
	"notes":              "Note",
	"items_total":        "Misure",
	"items_answered":     "Misure con risposta",
	"items_no":           "Risposte no",
	"items_partial":      "Risposte parziali",
	"threat_id":          "ID minaccia",
	"threat_name":        "Minaccia",
	"probability":        "Probabilità",
	"impact":             "Impatto",
	"overridden":         "Valori modificati",
	"inherent_risk":      "Rischio inerente",
	"inherent_band":      "Fascia inerente (codice)",
	"mitigation_percent": "Mitigazione %",
	"residual_risk":      "Rischio residuo",
	"band":               "Fascia (codice)",
	"band_label":         "Fascia",
	"provisional":        "Provvisorio",
	"missing_items":      "Misure senza risposta",
	"partial":            "Solo misure del livello",
	"rank":               "Posizione",
	"priority":           "Priorità (codice)",
	"priority_label":     "Priorità",
	"priority_value":     "Valore priorità",
	"findings":           "Rilievi",
	"risk_reduction":     "Riduzione del rischio",
	"owner":              "Responsabile",
	"due":                "Scadenza",
	"status":             "Stato (codice)",
	"status_label":       "Stato",
	"non_conformity":     "Non conformità",
	"seq":                "N.",
	"at":                 "Data",
	"kind":               "Tipo",
	"item":               "Voce",
	"old":                "Prima",
	"new":                "Dopo",
	"reason":             "Motivo",
	"event_id":           "ID evento",
	"description":        "Descrizione",
	"areas":              "Aree colpite",
	"actions":            "Azioni intraprese",
	"notified":           "Notifiche",
	"gdpr_deadline":      "Scadenza GDPR (72 ore)",
	"gdpr_note":          "Nota GDPR",
	"closed_on":          "Data chiusura",
	"close_note":         "Nota di chiusura",
	"operator_id":        "ID operatore",
	"name":               "Nome",
	"role":               "Ruolo (codice)",
	"role_label":         "Ruolo",
	"act":                "Atto di nomina",
	"sco":                "Smart card operatore",
	"sco_delivered":      "Consegna SCO",
	"verbale":            "Verbale di consegna",
	"trained_on":         "Data formazione",
	"postazioni":         "Postazioni",
	"revoked_on":         "Data revoca",
	"variation_id":       "ID variazione",
	"day":                "Giorno",
	"area":               "Area (codice)",
	"area_label":         "Area",
	"previous_audit_id":  "ID audit precedente",
	"previous_year":      "Anno precedente",
	"change":             "Variazione",
	"old_value":          "Valore precedente (codice)",
	"old_label":          "Valore precedente",
	"new_value":          "Valore attuale (codice)",
	"new_label":          "Valore attuale",
	"catalogue":          "Catalogo",
	"question":           "Domanda",
	"guidance":           "Come verificare",
	"compliant_answer":   "Risposta conforme",
	"vulnerability":      "Vulnerabilità",
	"answer_kind":        "Tipo di risposta",
	"threats":            "Minacce",
}

// ColumnNames returns the table's header row of machine names.
func (t Table) ColumnNames() []string {
	cols := t.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// needsAssessment reports whether the table's rows come from the risk engine.
func (t Table) needsAssessment() bool { return t == TableRisks || t == TableActions }

var auditIDColumn = Column{Name: "audit_id", Doc: "ID of the audit the row belongs to."}

var tableColumns = map[Table][]Column{
	TableAnswers: {
		auditIDColumn,
		{Name: "scope", Doc: "Where the answer was given: `ente`, `sede:NAME` or `postazione:CODE`."},
		{Name: "scope_label", Doc: "Italian label of the scope, e.g. `Postazione 001234`."},
		{Name: "section_id", Doc: "Catalogue section holding the item."},
		{Name: "item_id", Doc: "Stable catalogue item ID, e.g. `FIS-03`."},
		{Name: "item_title", Doc: "Short Italian title of the measure."},
		{Name: "category", Label: labelCategory, Doc: "`fisica`, `tecnica` or `organizzativa`."},
		{Name: "level", Label: labelLevel, Doc: "Protection level: `minimo`, `standard` or `alto`."},
		{Name: "origin", Doc: "Origin tags of the measure joined by `+` (`dm`, `circolare`, `cie30`, `inferito`, …)."},
		{Name: "good_practice", Label: labelYesNo, Doc: "`si` when the measure is inferred good practice rather than a legal requirement, else `no`."},
		{Name: "value", Doc: "Canonical answer value: `si`, `no`, `parziale`, `na` for esito items, a number, a date, text or a choice ID."},
		{Name: "value_label", Doc: "Italian rendering of the value (`Sì`, `Non applicabile`, choice label, number with unit)."},
		{Name: "outcome", Label: labelOutcome, Doc: "What the answer means as a measure: `si`, `no`, `parziale`, `na`, or empty for descriptive answers."},
		{Name: "note", Doc: "Auditor's note (free text)."},
		{Name: "author", Doc: "Who gave the answer."},
		{Name: "answered_at", Date: true, Doc: "When the answer was last changed, RFC 3339 in UTC."},
		{Name: "rev", Numeric: true, Doc: "Number of changes to the answer."},
		{Name: "reference", Doc: "Normative reference of the measure as the catalogue states it (`—` when there is none)."},
		{Name: "origin_class", Label: labelOriginClass, Doc: "How reports present the origin: `normativa`, `in_parte_buona_pratica` (a normative source plus inferred requirements), `buona_pratica` or `storico`."},
		{Name: "macroprocess", Label: labelMacroprocess, Doc: "Macroprocessi of Allegato A the measure belongs to (`mp1`, `mp2`, `mp3`), separated by ` | `."},
	},
	TableWorkstations: {
		auditIDColumn,
		{Name: "code", Doc: "Workstation code assigned by the Ministry."},
		{Name: "sede", Doc: "Name of the sede housing the workstation."},
		{Name: "sede_address", Doc: "Address of that sede."},
		{Name: "room", Doc: "Room or office."},
		{Name: "office", Label: labelOffice, Doc: "`front` (serves the public) or `back`."},
		{Name: "pc", Doc: "PC model / serial number."},
		{Name: "lettore_impronte", Doc: "Fingerprint scanner."},
		{Name: "lettore_smart_card", Doc: "Smart-card reader."},
		{Name: "multifunzione", Doc: "Multifunction printer/scanner."},
		{Name: "lettore_barcode", Doc: "Barcode reader."},
		{Name: "altro", Doc: "Other hardware."},
		{Name: "os", Doc: "Operating system."},
		{Name: "notes", Doc: "Free notes on the workstation."},
		{Name: "items_total", Numeric: true, Doc: "Catalogue items answered at this workstation's own scope."},
		{Name: "items_answered", Numeric: true, Doc: "How many of them are answered."},
		{Name: "items_no", Numeric: true, Doc: "How many are answered `no`."},
		{Name: "items_partial", Numeric: true, Doc: "How many are answered `parziale`."},
	},
	TableRisks: {
		auditIDColumn,
		{Name: "scope", Doc: "Scope the risk is computed for (`ente`, `sede:NAME`, `postazione:CODE`)."},
		{Name: "scope_label", Doc: "Italian label of the scope."},
		{Name: "threat_id", Doc: "Catalogue threat ID, e.g. `T04`."},
		{Name: "threat_name", Doc: "Italian name of the threat."},
		{Name: "probability", Numeric: true, Doc: "Probability used (catalogue default or audit override)."},
		{Name: "impact", Numeric: true, Doc: "Impact used (catalogue default or audit override)."},
		{Name: "overridden", Label: labelYesNo, Doc: "`si` when probability and impact come from an audit override, else `no`."},
		{Name: "inherent_risk", Numeric: true, Doc: "probability × impact: the risk with no measure in place."},
		{Name: "inherent_band", Doc: "Band ID of the inherent risk."},
		{Name: "mitigation_percent", Numeric: true, Doc: "Combined mitigation of the measures in place, in percent, after the catalogue's cap."},
		{Name: "residual_risk", Numeric: true, Doc: "inherent_risk × (1 − mitigation), two decimals."},
		{Name: "band", Doc: "Band ID of the residual risk (e.g. `basso`, `alto`)."},
		{Name: "band_label", Doc: "Italian label of that band."},
		{Name: "provisional", Label: labelYesNo, Doc: "`si` when some measure countering the threat is not answered yet (counted as not in place)."},
		{Name: "missing_items", Doc: "IDs of those unanswered measures, separated by ` | `."},
		{Name: "partial", Label: labelYesNo, Doc: "`si` for an ente or sede row of an audit with scopes below it: it counts only the measures of that level, so it is not the risk of any place; else `no`."},
	},
	TableActions: {
		auditIDColumn,
		{Name: "rank", Numeric: true, Doc: "Position of the action: non-conformità first, then by the highest residual risk it lowers."},
		{Name: "priority", Doc: "Band ID of the highest residual risk the action lowers; empty for measures linked to no threat."},
		{Name: "priority_label", Doc: "Italian label of that band."},
		{Name: "priority_value", Numeric: true, Doc: "That residual risk, two decimals."},
		{Name: "item_id", Doc: "Catalogue item the action puts in place."},
		{Name: "item_title", Doc: "Short Italian title of the measure."},
		{Name: "outcome", Label: labelOutcome, Doc: "Worst finding: `no` if the measure is missing somewhere, else `parziale`."},
		{Name: "findings", Label: labelFindings, Doc: "Where the measure is missing or partial, as `scope=outcome` separated by ` | `."},
		{Name: "risk_reduction", Numeric: true, Doc: "Total residual risk removed once the measure is fully in place, two decimals."},
		{Name: "good_practice", Label: labelYesNo, Doc: "`si` when the measure is inferred good practice rather than a legal requirement, else `no`."},
		{Name: "owner", Doc: "Who is responsible for the action."},
		{Name: "due", Date: true, Doc: "Due date, YYYY-MM-DD."},
		{Name: "status", Doc: "`da_avviare`, `in_corso` or `completata`."},
		{Name: "status_label", Doc: "Italian label of the status."},
		{Name: "non_conformity", Label: labelYesNo, Doc: "`si` when the measure rests only on normative sources: a `no` or `parziale` is a non-conformità, listed first whatever the residual risk; else `no`."},
		{Name: "reference", Doc: "Normative reference of the measure."},
		{Name: "origin_class", Label: labelOriginClass, Doc: "`normativa`, `in_parte_buona_pratica`, `buona_pratica` or `storico` (see risposte)."},
	},
	TableHistory: {
		auditIDColumn,
		{Name: "seq", Numeric: true, Doc: "Position of the entry in the audit's append-only history."},
		{Name: "at", Date: true, Doc: "When the change happened, RFC 3339 in UTC."},
		{Name: "author", Doc: "Who made the change."},
		{Name: "kind", Doc: "`risposta`, `nota`, `valutazione`, `audit`, `stato`, `perimetro`, `rischio` or `azione`."},
		{Name: "scope", Doc: "Scope concerned, when the change concerns an answer, note or evaluation."},
		{Name: "item", Doc: "Item (or section, for evaluations) concerned."},
		{Name: "old", Doc: "Value before the change."},
		{Name: "new", Doc: "Value after the change."},
		{Name: "reason", Doc: "Reason given for the change, when required."},
	},
}

// timestamp formats a time for the tables: RFC 3339 in UTC, empty for zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "si"
	}
	return "no"
}

func itoa(n int) string { return strconv.Itoa(n) }

// decimal formats a risk figure with at most two decimals and a dot, the
// form both CSV dialects and XLSX number cells accept.
func decimal(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// round2 keeps risk figures to two decimals so that floating-point noise
// never reaches an export.
func round2(f float64) float64 { return math.Round(f*100) / 100 }

// isGoodPractice reports whether reports must present the item as good
// practice rather than as a legal requirement.
func isGoodPractice(it *checklist.Item) bool { return it.IsInferred() && !it.IsNormative() }

func macroprocesses(it *checklist.Item) string {
	s := make([]string, len(it.Macroprocess))
	for i, m := range it.Macroprocess {
		s[i] = string(m)
	}
	return strings.Join(s, listSeparator)
}

func originTags(it *checklist.Item) string {
	s := ""
	for i, o := range it.Origin {
		if i > 0 {
			s += "+"
		}
		s += string(o)
	}
	return s
}

// rowWriter receives the rows of a table, already in their final order. The
// slice is reused for the next row: a rowWriter that keeps a row copies it.
type rowWriter func(row []string) error

// writeRows produces the rows of table t for one audit. assessment may be nil
// for tables that do not need it.
func writeRows(t Table, snap *checklist.Snapshot, assessment *checklist.Assessment, emit rowWriter) error {
	switch t {
	case TableAnswers:
		return answerRows(snap, emit)
	case TableWorkstations:
		return workstationRows(snap, emit)
	case TableRisks:
		return riskRows(snap, assessment, emit)
	case TableActions:
		return actionRows(snap, assessment, emit)
	case TableHistory:
		return historyRows(snap, emit)
	case TableEvents, TableOperators, TableVariations:
		return cycleRows(t, snap, emit)
	case TableComparison:
		return comparisonRows(snap, emit)
	}
	return fmt.Errorf("tabella %q sconosciuta", t)
}

// sortedAnswers returns the answers in report order: scopes in audit order,
// items in catalogue order; answers to items or scopes no longer known come
// last, by scope and item ID, so that nothing is ever dropped.
func sortedAnswers(snap *checklist.Snapshot) []checklist.Answer {
	scopeRank := ranks(snap.Audit.Scopes(), func(sc checklist.Scope) checklist.Scope { return sc })
	cells := cellsOf(snap.Catalogue)
	type keyed struct {
		scope, item int
		a           *checklist.Answer
	}
	keys := make([]keyed, len(snap.Answers))
	for i := range snap.Answers {
		a := &snap.Answers[i]
		k := keyed{scope: rankOf(scopeRank, a.Scope), item: len(cells), a: a}
		if c := cells[a.Item]; c != nil {
			k.item = c.rank
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(x, y keyed) int {
		if c := cmp.Compare(x.scope, y.scope); c != 0 {
			return c
		}
		if x.scope == len(scopeRank) { // scopes no longer in the audit
			if c := cmp.Compare(x.a.Scope.String(), y.a.Scope.String()); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(x.item, y.item), cmp.Compare(x.a.Item, y.a.Item))
	})
	answers := make([]checklist.Answer, len(keys))
	for i, k := range keys {
		answers[i] = *k.a
	}
	return answers
}

// itemCells are the cells of an answer row that depend only on the item,
// and the item's position in the catalogue: a batch export writes them for
// every answer of every audit pinned to the catalogue.
type itemCells struct {
	rank                                   int
	title, origin, goodPractice, macro, oc string
}

// catalogueCells caches itemCells per catalogue. Stored catalogues are
// parsed once per process and shared read-only, so the pointer identifies
// the content.
var catalogueCells sync.Map // *checklist.Catalogue → map[string]*itemCells

func cellsOf(cat *checklist.Catalogue) map[string]*itemCells {
	if m, ok := catalogueCells.Load(cat); ok {
		return m.(map[string]*itemCells)
	}
	items := cat.Items()
	m := make(map[string]*itemCells, len(items))
	for i, it := range items {
		m[it.ID] = &itemCells{rank: i, title: it.Title(), origin: originTags(it), goodPractice: yesNo(isGoodPractice(it)),
			macro: macroprocesses(it), oc: string(it.OriginClass())}
	}
	actual, _ := catalogueCells.LoadOrStore(cat, m)
	return actual.(map[string]*itemCells)
}

// ranks maps the key of every element to its position.
func ranks[E any, K comparable](elems []E, key func(E) K) map[K]int {
	m := make(map[K]int, len(elems))
	for i, e := range elems {
		m[key(e)] = i
	}
	return m
}

// rankOf is k's position, or after every known key when k is unknown.
func rankOf[K comparable](m map[K]int, k K) int {
	if r, ok := m[k]; ok {
		return r
	}
	return len(m)
}

func answerRows(snap *checklist.Snapshot, emit rowWriter) error {
	id := snap.Audit.ID
	cells := cellsOf(snap.Catalogue)
	row := make([]string, len(TableAnswers.Columns()))
	var scope checklist.Scope
	var scopeText, scopeLabel string
	for i, a := range sortedAnswers(snap) {
		if i == 0 || a.Scope != scope {
			scope, scopeText, scopeLabel = a.Scope, a.Scope.String(), a.Scope.Label()
		}
		row = row[:0]
		row = append(row, id, scopeText, scopeLabel)
		it := snap.Catalogue.Item(a.Item)
		c := cells[a.Item]
		if it != nil && c != nil {
			row = append(row, it.Section, it.ID, c.title, string(it.Category), string(it.Level),
				c.origin, c.goodPractice,
				a.Value, checklist.DisplayValue(it, a.Value), string(a.Outcome(it)))
		} else {
			// An answer to an item the pinned catalogue does not know is
			// kept verbatim rather than dropped.
			row = append(row, "", a.Item, "", "", "", "", "", a.Value, a.Value, "")
		}
		row = append(row, a.Note, a.Author, timestamp(a.At), itoa(a.Rev))
		if it != nil && c != nil {
			row = append(row, it.Reference, c.oc, c.macro)
		} else {
			row = append(row, "", "", "")
		}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

func workstationRows(snap *checklist.Snapshot, emit rowWriter) error {
	for _, p := range snap.Audit.Postazioni {
		address := ""
		if s := snap.Audit.Sede(p.Sede); s != nil {
			address = s.Address
		}
		prog := snap.ScopeProgress(checklist.Scope{Kind: checklist.ScopePostazione, Name: p.Code})
		h := p.Hardware
		row := []string{snap.Audit.ID, p.Code, p.Sede, address, p.Room, string(p.Office),
			h.PC, h.LettoreImpronte, h.LettoreSmartCard, h.Multifunzione, h.LettoreBarcode, h.Altro,
			p.OS, p.Notes, itoa(prog.Total), itoa(prog.Answered), itoa(prog.No), itoa(prog.Partial)}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

func historyRows(snap *checklist.Snapshot, emit rowWriter) error {
	history := snap.History
	bySeq := func(a, b checklist.Change) int { return cmp.Compare(a.Seq, b.Seq) }
	if !slices.IsSortedFunc(history, bySeq) { // the store reads them in order
		history = slices.Clone(history)
		slices.SortStableFunc(history, bySeq)
	}
	row := make([]string, 0, len(TableHistory.Columns()))
	for _, c := range history {
		row = append(row[:0], snap.Audit.ID, strconv.FormatUint(c.Seq, 10), timestamp(c.At), c.Author,
			string(c.Kind), c.Scope, c.Item, c.Old, c.New, c.Reason)
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

func riskRows(snap *checklist.Snapshot, assessment *checklist.Assessment, emit rowWriter) error {
	row := make([]string, 0, len(TableRisks.Columns()))
	var missing []string
	var scope checklist.Scope
	var scopeText, scopeLabel string
	for i := range assessment.Risks {
		r := &assessment.Risks[i]
		if i == 0 || r.Scope != scope { // risks come scope by scope
			scope, scopeText, scopeLabel = r.Scope, r.Scope.String(), r.Scope.Label()
		}
		missing = missing[:0]
		for _, it := range r.Missing {
			missing = append(missing, it.ID)
		}
		row = append(row[:0], snap.Audit.ID, scopeText, scopeLabel, r.Threat.ID, r.Threat.Name,
			itoa(r.Probability), itoa(r.Impact), yesNo(r.Overridden),
			decimal(round2(r.Inherent)), r.InherentBand.ID,
			decimal(round2(r.Mitigation*100)), decimal(round2(r.Residual)), r.Band.ID, r.Band.Label,
			yesNo(r.Provisional), strings.Join(missing, listSeparator), yesNo(r.Partial))
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// listSeparator joins several values in one cell.
const listSeparator = " | "

func actionRows(snap *checklist.Snapshot, assessment *checklist.Assessment, emit rowWriter) error {
	row := make([]string, 0, len(TableActions.Columns()))
	var findings []string
	for i := range assessment.Actions {
		a := &assessment.Actions[i]
		findings = findings[:0]
		for _, f := range a.Findings {
			findings = append(findings, f.At.String()+"="+string(f.Outcome))
		}
		priorityValue := ""
		if a.Priority.ID != "" {
			priorityValue = decimal(round2(a.PriorityValue))
		}
		row = append(row[:0], snap.Audit.ID, itoa(i+1), a.Priority.ID, a.Priority.Label, priorityValue,
			a.Item.ID, a.Item.Title(), string(a.Outcome), strings.Join(findings, listSeparator),
			decimal(round2(a.Gain())), yesNo(isGoodPractice(a.Item)),
			a.Plan.Owner, a.Plan.Due, string(a.Plan.Status), a.Plan.Status.Label(),
			yesNo(a.NonConformity), a.Item.Reference, string(a.Item.OriginClass()))
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

package export

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // reports show Italian local time wherever they run

	"github.com/cieaudit/cieaudit/checklist"
)

// DocumentTitle is the title of the report.
const DocumentTitle = "Piano di sicurezza CIE"

// Confidential is the classification printed on every page.
const Confidential = "Documento riservato"

// report is what the PDF and HTML renderers show: the snapshot and its
// assessment already turned into Italian text, in report order. Both
// renderers take it, so the two documents always say the same thing.
type report struct {
	Title string
	Ente  checklist.Ente
	Year  int
	// Edition is the plan's edition ("versione beta", "aggiornamento n.
	// 2"), empty when none is recorded; Catalogue names the catalogue and
	// its version in words.
	Edition   string
	Catalogue string
	AuditID   string
	Status    string
	// Draft is true until the audit is closed: every page says BOZZA.
	Draft bool
	// Footer is the left side of every page's footer.
	Footer string
	// Adoption and Protocol are the plan's adoption act and protocol, when
	// known, for the cover.
	Adoption, Protocol string
	// Headline is the overall compliance with its coverage, in words, as
	// the cover and the outcome show it.
	Headline     string
	Period       string
	Generated    string
	Place        string
	SignDate     string
	Auditors     []string
	CatalogueRef string

	// Normative is the quadro normativo: the acts cited by normative
	// measures, once each, grouped by kind.
	Normative []normGroup
	Scale     scaleView

	Roles []roleRow

	Sedi       []sedeView
	Postazioni []postazioneView

	ComplianceByCategory []complianceRow
	ComplianceByLevel    []complianceRow
	// Macroprocesses are the perimeter's three macroprocessi, each with
	// what it covers and how its measures stand.
	Macroprocesses  []macroRow
	ComplianceTotal complianceRow
	// AnyOverridden and AnyProvisional decide the footnote of the risk
	// table: a mark is explained only when it is used.
	AnyOverridden, AnyProvisional bool
	GoodPracticeItems             int
	PartlyInferredItems           int
	// RiskModel is false for a plain compliance checklist: the risk parts
	// are left out and the actions part is numbered 7.
	RiskModel     bool
	ActionsNumber int
	// NonConformities are the normative measures answered no or parziale.
	NonConformities []ncRow

	Scopes []scopeView

	Matrix      matrixView
	ComuneRisks []riskRow
	// MacroRisks is 7.3: the risk by macroprocess (empty without a risk
	// model).
	MacroRisks      []macroRiskRow
	Top             []topRisk
	Provisional     bool
	ProvisionalNote string

	Actions []actionRow

	HistoryCounts []historyCount
	HistoryKey    []historyRow
	HistoryTotal  int
	HistoryFirst  string
	HistoryLast   string
	// HistoryNote opens part 12: how many changes, over which span.
	HistoryNote string
	// OriginNote says how many measures are good practice, or only in part
	// law, and how the document marks them.
	OriginNote string

	Signatures []signature

	// Cycle is the yearly cycle: operators, monitoring, transmission.
	Cycle cycleView
	// Comparison is 5.4, the comparison with the previous audit; nil
	// without one.
	Comparison *comparisonView

	// Evidence lists, in the Allegati part, the files in evidenze/; shown
	// only when the audit has some.
	Evidence []evidenceRow

	// Logo is the ente's stemma on the cover, nil without one.
	Logo *logoView
	// CatalogueFile is the catalogue's YAML in the bundle (CatalogueFile),
	// "" when the snapshot does not hold its text.
	CatalogueFile string
}

// logoView is the stemma as the covers show it: the stored bytes, their
// type and pixel size.
type logoView struct {
	Type          string // image/png or image/jpeg
	Data          []byte
	Width, Height int
}

// Logo covers fit the stemma in this box (millimetres), keeping its shape.
const logoMaxWidth, logoMaxHeight = 40.0, 28.0

// fit is the stemma's size in millimetres within the cover's box.
func (l *logoView) fit() (w, h float64) {
	w, h = logoMaxWidth, logoMaxWidth*float64(l.Height)/float64(l.Width)
	if h > logoMaxHeight {
		w, h = logoMaxHeight*float64(l.Width)/float64(l.Height), logoMaxHeight
	}
	// A 2048×1 strip would be drawn 0.02 mm high: at least 1 mm a side,
	// which every renderer (and the ODT's two-decimal centimetres) keeps.
	return max(w, 1), max(h, 1)
}

// buildLogo is the cover's stemma; nil without one, or when its bytes
// are not those the reference names (the bundle then refuses to export).
func buildLogo(snap *checklist.Snapshot) *logoView {
	l := snap.Audit.Logo
	if l == nil || int64(len(snap.LogoData)) != l.Size || l.Width <= 0 || l.Height <= 0 {
		return nil
	}
	return &logoView{Type: l.Type, Data: snap.LogoData, Width: l.Width, Height: l.Height}
}

// evidenceRow is one attached file in the "Allegati" index.
type evidenceRow struct {
	ID, Where, Name, Note, Type, Size, Digest, File string
}

func buildEvidence(snap *checklist.Snapshot) []evidenceRow {
	rows := make([]evidenceRow, 0, len(snap.Evidence))
	for _, e := range snap.Evidence {
		rows = append(rows, evidenceRow{ID: e.ID, Where: e.Scope.Label() + ", " + e.Item, Name: e.Name, Note: e.Note,
			Type: checklist.EvidenceTypeLabel(e.Type), Size: checklist.FormatBytes(e.Size), Digest: e.Digest,
			File: DirEvidence + "/" + checklist.EvidenceFileName(e)})
	}
	return rows
}

type normGroup struct {
	Label string
	Acts  []normAct
}

type normAct struct{ Name, Items string }

type scaleView struct {
	Probability   []checklist.ScaleLevel
	Impact        []checklist.ScaleLevel
	Bands         []bandRow
	PartialFactor string
	MaxMitigation string
	MaxRisk       int
}

type bandRow struct {
	Label  string
	Range  string
	Colour string
}

type roleRow struct{ Role, Name string }

type sedeView struct {
	Name, Address, Rooms string
	Postazioni           int
}

type postazioneView struct {
	Code, Sede, Room, Office, OS, Notes string
	Hardware                            []hardwareRow
}

type hardwareRow struct{ Label, Value string }

type complianceRow struct {
	Label                                       string
	Yes, No, Partial, NotApplicable, Unanswered int
	Informative                                 int
	Percent                                     string
	PercentValue                                float64
	HasPercent                                  bool
	// Coverage is the share of measures verified ("53 %"), Verified and
	// Counted the numbers behind it; Provisional is true while any
	// measure is not verified.
	Coverage          string
	Verified, Counted int
	Provisional       bool
}

type macroRow struct {
	Description string
	complianceRow
}

type scopeView struct {
	Label    string
	Subtitle string
	Sections []sectionView
}

type sectionView struct {
	ID, Title  string
	Items      []itemRow
	Evaluation string
	EvalAuthor string
}

type itemRow struct {
	ID, Title, Outcome, Note string
	// Question is the full question when it says more than the title.
	Question     string
	OutcomeKey   string
	GoodPractice bool
	// Practice is "buona pratica", "in parte buona pratica" or empty.
	Practice  string
	Origin    string
	Reference string
}

type ncRow struct {
	ItemID, Title, Outcome, Findings, Reference, Origin string
}

type matrixView struct {
	// Rows go from the highest impact down, as risk matrices are drawn.
	Rows          []matrixRow
	Probabilities []checklist.ScaleLevel
}

type matrixRow struct {
	Impact checklist.ScaleLevel
	Cells  []matrixCell
}

type matrixCell struct {
	Count  int
	Value  int
	Colour string
	Band   string
}

type riskRow struct {
	ThreatID, Threat           string
	Probability, Impact        int
	Overridden                 bool
	Inherent, Mitigation       string
	Residual, Band, BandColour string
	Provisional                bool
	// Where is the scope with the highest residual, Spread the range over
	// the complete scopes ("2,3–4,6 su 3 postazioni"), empty for one.
	Where, Spread string
}

// macroRiskRow is one macroprocess of 7.3: how many threats its measures
// counter and the highest of their residual risks for the comune.
type macroRiskRow struct {
	Label, Threats             string
	Threat                     string
	Residual, Band, BandColour string
}

// macroRiskIntro opens 7.3.
const macroRiskIntro = "Per ogni macroprocesso, le minacce contrastate dalle sue misure e il rischio residuo più alto tra quelle per il Comune."

type topRisk struct {
	Rank                       int
	Scope, ThreatID, Threat    string
	Description                string
	Probability, Impact        int
	Inherent, Mitigation       string
	Residual, Band, BandColour string
	Override                   string
	Measures                   []string
	Provisional                bool
}

type actionRow struct {
	Rank                     int
	Priority, PriorityColour string
	ItemID, Title            string
	Findings                 string
	Gain                     string
	GoodPractice             bool
	Practice                 string
	NonConformity            bool
	Reference                string
	Owner, Due, Status       string
}

type historyCount struct {
	Kind  string
	Count int
}

type historyRow struct {
	Seq                                    uint64
	At, Author, Kind, What, Change, Reason string
}

// signature is one signer, with the sentence saying what the signature
// attests.
type signature struct{ Role, Name, Attests string }

var (
	isoDay     = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	fullDigest = regexp.MustCompile(`\b(sha256 [0-9a-f]{12})[0-9a-f]{52}\b`)
)

// maxChangeRunes bounds a change's text in the report's register: a plan
// or event entry repeats every field before and after, and a row taller
// than a page helps no reader (the full text is in storico.csv).
const maxChangeRunes = 360

// readableChange is a history text for the report: dates written
// AAAA-MM-GG as GG/MM/AAAA, SHA-256 digests cut to their first 12 digits,
// at most maxChangeRunes characters.
func readableChange(s string) string {
	s = isoDay.ReplaceAllStringFunc(s, checklist.ItalianDate)
	s = fullDigest.ReplaceAllString(s, "$1…")
	if r := []rune(s); len(r) > maxChangeRunes {
		cut := string(r[:maxChangeRunes])
		if i := strings.LastIndexAny(cut, " ;"); i > maxChangeRunes/2 {
			cut = cut[:i]
		}
		s = strings.TrimRight(cut, " ;,") + " … (testo completo in storico.csv)"
	}
	return s
}

// historyKeyLimit bounds the changes listed in full in the report: the
// complete history is in storico.csv and audit.json.
const historyKeyLimit = 60

var rome = mustLoadLocation("Europe/Rome")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

var italianMonths = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
	"luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}

// italianDate renders a time as "9 marzo 2026" in Italian local time; the
// first of the month is written "1° dicembre 2026", as Italian usage wants
// ("il 1° dicembre", "dal 1° dicembre": never "il 1 dicembre").
func italianDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return longDay(t.In(rome))
}

// longDay is t's calendar day in words, "9 marzo 2026" or "1° dicembre 2026".
func longDay(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1°"
	}
	return fmt.Sprintf("%s %s %d", day, italianMonths[t.Month()-1], t.Year())
}

// italianDateTime renders a time as "9 marzo 2026, ore 11:50".
func italianDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return italianDate(t) + ", ore " + t.In(rome).Format("15:04")
}

// shortDateTime renders a time as "09/03/2026 11:50" for table cells.
func shortDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rome).Format("02/01/2006 15:04")
}

// calendarDate renders a YYYY-MM-DD date as "9 marzo 2026", leaving any
// other text as it is.
func calendarDate(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return longDay(d)
}

// orDash is the text shown for a missing value.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func buildReport(snap *checklist.Snapshot, as *checklist.Assessment) *report {
	a := &snap.Audit
	cat := snap.Catalogue
	r := &report{
		Title:        DocumentTitle,
		Ente:         a.Ente,
		Year:         a.Year,
		Edition:      snap.Plan.EditionLabel(),
		Catalogue:    cat.Title + ", versione " + cat.Version,
		AuditID:      a.ID,
		Status:       a.Status.Label(),
		Draft:        a.Status != checklist.StatusClosed,
		Footer:       strings.TrimPrefix(strings.TrimSpace(snap.Plan.EditionLabel()+" — audit "+a.ID), "— "),
		Adoption:     strings.TrimSpace(snap.Plan.AdoptedAct + " " + dateOf(snap.Plan.AdoptedOn)),
		Protocol:     strings.TrimSpace(snap.Plan.Protocol + " " + dateOf(snap.Plan.ProtocolOn)),
		Generated:    italianDateTime(snap.LastChange()),
		Auditors:     a.Auditors,
		CatalogueRef: cat.Title + ", versione " + cat.Version,
		Logo:         buildLogo(snap),
	}
	if len(cat.Raw) > 0 {
		r.CatalogueFile = CatalogueFile(cat)
	}
	switch {
	case a.StartDate != "" && a.EndDate != "" && a.StartDate != a.EndDate:
		r.Period = "dal " + calendarDate(a.StartDate) + " al " + calendarDate(a.EndDate)
	case a.StartDate != "":
		r.Period = calendarDate(a.StartDate)
	}
	if a.SignOff != nil {
		r.Place, r.SignDate = a.SignOff.Place, calendarDate(a.SignOff.Date)
		if len(a.SignOff.Auditors) > 0 {
			r.Auditors = a.SignOff.Auditors
		}
	}

	r.Normative = normativeReferences(cat)
	r.Scale = buildScale(cat.Risk)
	r.Roles = []roleRow{
		{"Sindaco", orDash(a.Ente.Sindaco)},
		{"Responsabile della sicurezza", orDash(a.Ente.ResponsabileSicurezza)},
		{"Referente CIE", orDash(a.Ente.ReferenteCIE)},
		{"Prefettura competente", orDash(a.Ente.Prefettura)},
	}
	for i, name := range a.Auditors {
		role := "Auditor"
		if i == 0 {
			role = "Auditor (capo gruppo)"
		}
		r.Roles = append(r.Roles, roleRow{role, name})
	}

	for _, s := range a.Sedi {
		n := 0
		for _, p := range a.Postazioni {
			if p.Sede == s.Name {
				n++
			}
		}
		r.Sedi = append(r.Sedi, sedeView{s.Name, orDash(s.Address), orDash(strings.Join(s.Rooms, ", ")), n})
	}
	for _, p := range a.Postazioni {
		h := p.Hardware
		pv := postazioneView{Code: p.Code, Sede: orDash(p.Sede), Room: orDash(p.Room), Office: orDash(p.Office.Label()), OS: orDash(p.OS), Notes: p.Notes}
		for _, hw := range []hardwareRow{
			{"PC", h.PC}, {"Lettore di impronte", h.LettoreImpronte}, {"Lettore smart card", h.LettoreSmartCard},
			{"Multifunzione", h.Multifunzione}, {"Lettore di codici a barre", h.LettoreBarcode}, {"Altro", h.Altro},
		} {
			hw.Value = orDash(hw.Value)
			pv.Hardware = append(pv.Hardware, hw)
		}
		r.Postazioni = append(r.Postazioni, pv)
	}

	for _, c := range as.Summary.ByCategory {
		r.ComplianceByCategory = append(r.ComplianceByCategory, complianceView(c))
	}
	for _, c := range as.Summary.ByLevel {
		r.ComplianceByLevel = append(r.ComplianceByLevel, complianceView(c))
	}
	r.ComplianceTotal = complianceView(as.Summary.Total)
	for i, c := range as.Summary.ByMacroprocess {
		r.Macroprocesses = append(r.Macroprocesses, macroRow{checklist.Macroprocesses[i].Description(), complianceView(c)})
	}
	r.Headline = headline(r.ComplianceTotal)
	for _, it := range cat.Items() {
		switch it.OriginClass() {
		case checklist.ClassGoodPractice:
			r.GoodPracticeItems++
		case checklist.ClassPartlyInferred:
			r.PartlyInferredItems++
		}
	}
	r.OriginNote = originNote(r.GoodPracticeItems, r.PartlyInferredItems)

	r.RiskModel = as.RiskModel
	r.ActionsNumber = 8
	if !r.RiskModel {
		r.ActionsNumber = 7
	}
	r.Scopes = buildScopes(snap)
	r.Matrix = buildMatrix(cat.Risk, as)
	r.ComuneRisks = buildComuneRisks(as)
	for _, m := range as.RiskByMacroprocess(cat) {
		row := macroRiskRow{Label: m.Macro.Label(), Threats: strconv.Itoa(m.Threats), Threat: "—", Residual: "—", Band: "—"}
		if m.Provisional > 0 {
			row.Threats += " (" + strconv.Itoa(m.Provisional) + " provv.)"
		}
		if w := m.Worst; w != nil {
			row.Threat = w.Threat.ID + " " + w.Threat.Name
			row.Residual, row.Band, row.BandColour = checklist.FormatRisk(w.Worst.Residual), w.Worst.Band.Label, w.Worst.Band.Colour
			if w.Worst.Provisional {
				row.Residual += " (provv.)"
			}
		}
		r.MacroRisks = append(r.MacroRisks, row)
	}
	for i := range as.Top {
		r.Top = append(r.Top, buildTopRisk(i+1, &as.Top[i]))
	}
	for _, c := range r.ComuneRisks {
		r.AnyOverridden = r.AnyOverridden || c.Overridden
		r.AnyProvisional = r.AnyProvisional || c.Provisional
	}
	r.Provisional = as.Provisional
	r.ProvisionalNote = as.ProvisionalNote()
	for i := range as.Actions {
		act := &as.Actions[i]
		findings := make([]string, len(act.Findings))
		for j, f := range act.Findings {
			findings[j] = f.At.Label() + ": " + act.Item.FindingLabel(f.Outcome)
		}
		priority := "—"
		if act.Priority.ID != "" {
			priority = act.Priority.Label + " (" + checklist.FormatRisk(act.PriorityValue) + ")"
		}
		if act.NonConformity {
			priority = "Non conformità"
			r.NonConformities = append(r.NonConformities, ncRow{
				ItemID: act.Item.ID, Title: act.Item.Title(), Outcome: act.Item.FindingLabel(act.Outcome), Findings: strings.Join(findings, "; "),
				Reference: act.Item.Reference, Origin: act.Item.OriginSummary(),
			})
		}
		colour := act.Priority.Colour
		if act.NonConformity {
			colour = colourNonConformity
		}
		r.Actions = append(r.Actions, actionRow{
			Rank: i + 1, Priority: priority, PriorityColour: colour,
			ItemID: act.Item.ID, Title: act.Item.Title(), Findings: strings.Join(findings, "; "),
			Gain: checklist.FormatRisk(act.Gain()), GoodPractice: isGoodPractice(act.Item), Practice: practice(act.Item),
			NonConformity: act.NonConformity, Reference: act.Item.Reference,
			Owner: orDash(act.Plan.Owner), Due: orDash(calendarDate(act.Plan.Due)), Status: act.Plan.Status.Label(),
		})
	}
	buildHistory(r, snap)

	for _, name := range r.Auditors {
		r.Signatures = append(r.Signatures, signature{"L'auditor", name,
			"attesta di aver svolto le verifiche descritte e che le risposte riportate ne sono l'esito."})
	}
	r.Signatures = append(r.Signatures,
		signature{"Il responsabile della sicurezza", a.Ente.ResponsabileSicurezza,
			"attesta che organizzazione, perimetro e inventario descritti corrispondono allo stato attuale e si impegna ad attuare le azioni migliorative."},
		signature{"Il Sindaco", a.Ente.Sindaco,
			"adotta il piano di sicurezza e ne dispone la trasmissione alla Prefettura."},
	)
	r.Cycle = buildCycleView(snap)
	r.Comparison = buildComparison(snap)
	r.Evidence = buildEvidence(snap)
	return r
}

// normativeReferences groups the acts cited by the catalogue's normative
// measures by kind (checklist.NormativeActs).
func normativeReferences(cat *checklist.Catalogue) []normGroup {
	var groups []normGroup
	for _, a := range checklist.NormativeActs(cat) {
		if len(groups) == 0 || groups[len(groups)-1].Label != a.Kind.Label() {
			groups = append(groups, normGroup{Label: a.Kind.Label()})
		}
		g := &groups[len(groups)-1]
		g.Acts = append(g.Acts, normAct{a.Cited(), a.ItemsLabel()})
	}
	return groups
}

func buildScale(rs checklist.RiskScale) scaleView {
	sv := scaleView{
		Probability:   rs.Probability,
		Impact:        rs.Impact,
		PartialFactor: checklist.FormatPercent(rs.PartialFactor),
		MaxMitigation: fmt.Sprintf("%d%%", rs.MaxMitigation),
		MaxRisk:       rs.MaxRisk(),
	}
	low := 0.0
	for i, b := range rs.Bands {
		var rng string
		switch {
		case i == 0:
			rng = "fino a " + checklist.FormatRisk(b.Max)
		case i == len(rs.Bands)-1:
			rng = "oltre " + checklist.FormatRisk(low)
		default:
			rng = "oltre " + checklist.FormatRisk(low) + " fino a " + checklist.FormatRisk(b.Max)
		}
		sv.Bands = append(sv.Bands, bandRow{b.Label, rng, b.Colour})
		low = b.Max
	}
	return sv
}

func complianceView(c checklist.Compliance) complianceRow {
	row := complianceRow{
		Label: c.Label, Yes: c.Counts.Yes, No: c.Counts.No, Partial: c.Counts.Partial,
		NotApplicable: c.Counts.NotApplicable, Unanswered: c.Counts.Unanswered, Informative: c.Counts.Informative,
		Percent: "n.d.",
	}
	if pct, ok := c.Counts.Percent(); ok {
		row.Percent = checklist.FormatPercent(pct / 100)
		row.PercentValue, row.HasPercent = pct, true
	}
	row.Counted, row.Verified = c.Counts.Total(), c.Counts.Total()-c.Counts.Unanswered
	row.Coverage = "n.d."
	if cov, ok := c.Counts.Coverage(); ok {
		row.Coverage = checklist.FormatPercent(cov / 100)
	}
	row.Provisional = c.Counts.Unanswered > 0
	return row
}

// headline is the overall compliance as the cover and the outcome state
// it: never without its coverage, and provisional while anything is not
// verified.
func headline(t complianceRow) string {
	if t.Counted == 0 {
		return "Nessuna misura da verificare."
	}
	if !t.HasPercent {
		return fmt.Sprintf("Conformità non ancora calcolabile: %s %s su %d (copertura %s).", checklist.Plural(t.Verified, "verificata", "verificate"), checklist.Count(t.Verified, "misura", "misure"), t.Counted, t.Coverage)
	}
	s := fmt.Sprintf("Conformità %s su %s di %d (copertura %s)", t.Percent, checklist.Count(t.Verified, "misura verificata", "misure verificate"), t.Counted, t.Coverage)
	if t.Provisional {
		return s + ": dato provvisorio, " + checklist.Count(t.Counted-t.Verified, "misura", "misure") + " ancora da verificare."
	}
	return s + "."
}

// buildScopes lays out part 6: for each scope, the items answered at that
// scope grouped by section, each section followed by its evaluation.
func buildScopes(snap *checklist.Snapshot) []scopeView {
	evals := map[checklist.Scope]map[string]checklist.Evaluation{}
	for _, e := range snap.Evaluations {
		if evals[e.Scope] == nil {
			evals[e.Scope] = map[string]checklist.Evaluation{}
		}
		evals[e.Scope][e.Section] = e
	}
	var out []scopeView
	for _, sc := range snap.Audit.Scopes() {
		sv := scopeView{Label: sc.Label(), Subtitle: scopeSubtitle(&snap.Audit, sc)}
		for _, sec := range snap.Catalogue.Sections {
			var items []itemRow
			for i := range sec.Items {
				it := &sec.Items[i]
				if it.Scope != sc.Kind {
					continue
				}
				row := itemRow{ID: it.ID, Title: it.Title(), Question: question(it), Outcome: "Non verificato", GoodPractice: isGoodPractice(it),
					Practice: practice(it), Origin: it.OriginSummary(), Reference: it.Reference}
				if ans, ok := snap.Answer(sc, it.ID); ok {
					if ans.Value != "" {
						row.Outcome = checklist.DisplayValue(it, ans.Value)
						if it.Answer.Kind == checklist.KindDate {
							row.Outcome = checklist.ItalianDate(ans.Value) // GG/MM/AAAA, as people write it
						}
					}
					row.OutcomeKey = string(ans.Outcome(it))
					row.Note = ans.Note
				}
				items = append(items, row)
			}
			e, evaluated := evals[sc][sec.ID]
			if len(items) == 0 && !evaluated {
				continue
			}
			// A section evaluated at a scope where none of its items is
			// answered still shows its evaluation: nothing written is lost.
			sv2 := sectionView{ID: sec.ID, Title: sec.Title, Items: items}
			if evaluated {
				sv2.Evaluation = e.Text
				sv2.EvalAuthor = e.Author
			}
			sv.Sections = append(sv.Sections, sv2)
		}
		if len(sv.Sections) > 0 {
			out = append(out, sv)
		}
	}
	return out
}

func scopeSubtitle(a *checklist.Audit, sc checklist.Scope) string {
	switch sc.Kind {
	case checklist.ScopeEnte:
		return a.Ente.Name
	case checklist.ScopeSede:
		if s := a.Sede(sc.Name); s != nil {
			return s.Address
		}
	case checklist.ScopePostazione:
		if p := a.Postazione(sc.Name); p != nil {
			parts := []string{}
			for _, s := range []string{p.Sede, p.Room, p.Office.Label()} {
				if s != "" {
					parts = append(parts, s)
				}
			}
			return strings.Join(parts, " — ")
		}
	}
	return ""
}

func buildMatrix(rs checklist.RiskScale, as *checklist.Assessment) matrixView {
	// A threat has the same probability and impact at every scope: count
	// each threat once.
	count := map[[2]int]int{}
	for _, c := range as.Comune {
		count[[2]int{c.Worst.Probability, c.Worst.Impact}]++
	}
	probs := slices.SortedFunc(slices.Values(rs.Probability), func(a, b checklist.ScaleLevel) int { return cmp.Compare(a.Value, b.Value) })
	impacts := slices.SortedFunc(slices.Values(rs.Impact), func(a, b checklist.ScaleLevel) int { return cmp.Compare(b.Value, a.Value) })
	m := matrixView{Probabilities: probs}
	for _, im := range impacts {
		row := matrixRow{Impact: im}
		for _, p := range probs {
			v := p.Value * im.Value
			b := rs.Band(float64(v))
			row.Cells = append(row.Cells, matrixCell{Count: count[[2]int{p.Value, im.Value}], Value: v, Colour: b.Colour, Band: b.Label})
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// buildComuneRisks has one row per threat: its risk for the comune, at
// the complete scope where it is highest, with the range over the others.
func buildComuneRisks(as *checklist.Assessment) []riskRow {
	var out []riskRow
	for i := range as.Comune {
		c := &as.Comune[i]
		r := c.Worst
		row := riskRow{
			ThreatID: r.Threat.ID, Threat: r.Threat.Name, Probability: r.Probability, Impact: r.Impact,
			Overridden: r.Overridden, Inherent: checklist.FormatRisk(r.Inherent),
			Mitigation: checklist.FormatPercent(r.Mitigation), Residual: checklist.FormatRisk(r.Residual),
			Band: r.Band.Label, BandColour: r.Band.Colour, Provisional: r.Provisional,
			Where: r.Scope.Label(),
		}
		row.Spread = c.Spread()
		out = append(out, row)
	}
	return out
}

// colourNonConformity marks non-conformità in the actions.
const colourNonConformity = "#b42318"

// practice is how reports flag an item that is not (only) law: "buona
// pratica", "in parte buona pratica", or empty.
func practice(it *checklist.Item) string {
	switch c := it.OriginClass(); c {
	case checklist.ClassGoodPractice, checklist.ClassPartlyInferred:
		return c.Label()
	}
	return ""
}

func buildTopRisk(rank int, r *checklist.ThreatRisk) topRisk {
	t := topRisk{
		Rank: rank, Scope: r.Scope.Label(), ThreatID: r.Threat.ID, Threat: r.Threat.Name, Description: r.Threat.Description,
		Probability: r.Probability, Impact: r.Impact, Inherent: checklist.FormatRisk(r.Inherent),
		Mitigation: checklist.FormatPercent(r.Mitigation), Residual: checklist.FormatRisk(r.Residual),
		Band: r.Band.Label, BandColour: r.Band.Colour, Provisional: r.Provisional,
	}
	if r.Overridden {
		t.Override = "Probabilità e impatto modificati per questo audit: " + r.OverrideReason
	}
	for _, m := range r.Measures {
		line := m.Item.ID + " " + m.Item.Title()
		if m.At != r.Scope {
			line += " (" + m.At.Label() + ")"
		}
		t.Measures = append(t.Measures, line+" — "+m.Reason)
	}
	if r.Capped {
		t.Measures = append(t.Measures, "Mitigazione complessiva limitata al massimo previsto dal catalogo.")
	}
	return t
}

// historyKinds orders the kinds in the history summary.
var historyKinds = []checklist.ChangeKind{
	checklist.ChangeAudit, checklist.ChangeStatus, checklist.ChangeScope, checklist.ChangeAnswer,
	checklist.ChangeNote, checklist.ChangeEvaluation, checklist.ChangeRisk, checklist.ChangeAction,
	checklist.ChangePlan, checklist.ChangeOperator, checklist.ChangeEvent, checklist.ChangeCarry,
}

func changeKindLabel(k checklist.ChangeKind) string {
	switch k {
	case checklist.ChangeAnswer:
		return "Risposte"
	case checklist.ChangeNote:
		return "Note"
	case checklist.ChangeEvaluation:
		return "Valutazioni"
	case checklist.ChangeAudit:
		return "Dati dell'audit"
	case checklist.ChangeStatus:
		return "Stato"
	case checklist.ChangeScope:
		return "Perimetro"
	case checklist.ChangeRisk:
		return "Rischi"
	case checklist.ChangeAction:
		return "Azioni"
	case checklist.ChangePlan:
		return "Piano"
	case checklist.ChangeOperator:
		return "Operatori"
	case checklist.ChangeEvent:
		return "Eventi di sicurezza"
	case checklist.ChangeCarry:
		return "Riporto dall'audit precedente"
	case checklist.ChangeEvidence:
		return "Allegati"
	}
	return string(k)
}

// buildHistory summarises the history: counts per kind, then in full the
// changes that shape the document (everything but answers and notes, and
// answers changed with a stated reason), newest last, up to historyKeyLimit.
func buildHistory(r *report, snap *checklist.Snapshot) {
	history := slices.SortedStableFunc(slices.Values(snap.History), func(a, b checklist.Change) int { return cmp.Compare(a.Seq, b.Seq) })
	r.HistoryTotal = len(history)
	if len(history) == 0 {
		return
	}
	r.HistoryFirst = italianDateTime(history[0].At)
	r.HistoryLast = italianDateTime(history[len(history)-1].At)
	span := "dal " + r.HistoryFirst + " al " + r.HistoryLast
	if r.HistoryFirst == r.HistoryLast {
		span = "il " + r.HistoryFirst
	}
	r.HistoryNote = checklist.Count(r.HistoryTotal, "modifica registrata", "modifiche registrate") + " " + span + "; l'elenco completo è in storico.csv."
	counts := map[checklist.ChangeKind]int{}
	for _, c := range history {
		counts[c.Kind]++
	}
	for _, k := range historyKinds {
		if counts[k] > 0 {
			r.HistoryCounts = append(r.HistoryCounts, historyCount{changeKindLabel(k), counts[k]})
			delete(counts, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		r.HistoryCounts = append(r.HistoryCounts, historyCount{changeKindLabel(k), counts[k]})
	}
	var key []historyRow
	for _, c := range history {
		if (c.Kind == checklist.ChangeAnswer || c.Kind == checklist.ChangeNote) && c.Reason == "" {
			continue
		}
		what := c.Item
		if c.Scope != "" {
			what = strings.TrimSpace(scopeLabel(c.Scope) + " " + c.Item)
		}
		old, nw := c.Old, c.New
		switch c.Kind {
		case checklist.ChangeStatus:
			// Statuses are stored as keys ("in_corso"): people read labels.
			old, nw = checklist.Status(old).Label(), checklist.Status(nw).Label()
		case checklist.ChangeAudit, checklist.ChangeScope:
			old, nw = readableFields(old), readableFields(nw)
		}
		change := nw
		if old != "" {
			change = old + " → " + nw
		}
		// The catalogue key ("cie-postazioni@2026.2") is for machines; so
		// are ISO dates and whole digests, which a narrow column would
		// split mid-word (the full text is in storico.csv).
		change = strings.ReplaceAll(change, snap.Catalogue.Key(), snap.Catalogue.Title+" "+snap.Catalogue.Version)
		change = readableChange(change)
		key = append(key, historyRow{Seq: c.Seq, At: shortDateTime(c.At), Author: c.Author, Kind: changeKindLabel(c.Kind), What: what, Change: change, Reason: c.Reason})
	}
	if len(key) > historyKeyLimit {
		key = key[len(key)-historyKeyLimit:]
	}
	r.HistoryKey = key
}

// DraftMark is written on every page of the report until the audit is
// closed.
const DraftMark = "BOZZA"

// runningMark is the right side of the running header.
func runningMark(draft bool) string {
	if draft {
		return DraftMark + " — " + Confidential
	}
	return Confidential
}

// coverFacts are the facts listed on the cover, in order.
func (r *report) coverFacts() [][2]string {
	facts := [][2]string{{"Anno", strconv.Itoa(r.Year)}}
	add := func(k, v string) {
		if v != "" {
			facts = append(facts, [2]string{k, v})
		}
	}
	add("Edizione del piano", r.Edition)
	add("Atto di adozione", r.Adoption)
	add("Protocollo", r.Protocol)
	status := r.Status
	if r.Draft {
		status += " (documento in bozza fino alla chiusura dell'audit)"
	}
	add("Stato dell'audit", status)
	add("Periodo dell'audit", r.Period)
	add("Data del documento", r.Generated)
	add("Auditor", orDash(strings.Join(r.Auditors, ", ")))
	add("Catalogo delle misure", r.Catalogue)
	add("Codice dell'audit", r.AuditID)
	add("Destinatario", r.Ente.Prefettura)
	return facts
}

// totalsLine is the count of answers behind the overall compliance.
func totalsLine(t complianceRow) string {
	s := fmt.Sprintf("Sì %d, no %d, parziale %d, non applicabile %d", t.Yes, t.No, t.Partial, t.NotApplicable)
	if t.Informative > 0 {
		// Descriptive answers (a date, a number) are verified but enter no
		// compliance: without them the line would not add up to the total.
		s += fmt.Sprintf(", risposte descrittive %d", t.Informative)
	}
	return s + fmt.Sprintf(", non verificato %d.", t.Unanswered)
}

// noNonConformity is part 5.3 when no normative measure is no or partial:
// while measures are unverified it says the list is not final, and with
// nothing verified that no non-conformity can be known yet.
func noNonConformity(t complianceRow) string {
	switch {
	case t.Counted > 0 && t.Verified == 0:
		return "Nessuna misura è ancora verificata: le non conformità normative non sono ancora note."
	case t.Provisional:
		return "Nessuna misura prevista da una norma risulta mancante o parziale tra quelle verificate finora; " +
			checklist.Count(t.Counted-t.Verified, "misura è", "misure sono") + " ancora da verificare."
	}
	return "Nessuna misura prevista da una norma risulta mancante o parziale."
}

// riskFootnote explains the marks used in the risk table, and only those.
func riskFootnote(r *report) string {
	var parts []string
	if r.AnyOverridden {
		parts = append(parts, "* probabilità e impatto modificati per questo audit (motivazione tra i rischi principali)")
	}
	if r.AnyProvisional {
		parts = append(parts, "(provv.) rischio provvisorio: alcune misure non sono ancora verificate")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// signatureSentence is what the signer's signature attests.
// The part "Validazione e invio" and its two sections.
const (
	validationTitle = "Validazione e invio"
	adoptionTitle   = "Adozione e firme"
	sendingTitle    = "Invio alla Prefettura"
)

// ValidationIntro opens "Validazione e invio": what validates the plan and
// what proves it was sent.
func (r *report) ValidationIntro() string {
	to := "alla Prefettura - UTG competente"
	if p := strings.TrimSpace(r.Ente.Prefettura); p != "" {
		to = "alla " + p
	}
	return "Il piano è validato dall'atto di adozione e dalle firme che seguono, ciascuna con ciò che attesta; è poi inviato " + to +
		", che ha 30 giorni dalla ricezione per l'esito. La ricevuta (consegna PEC o protocollo) è la prova dell'invio."
}

func signatureSentence(s signature) string {
	return "Con la firma " + s.Attests
}

// CoverFacts, TotalsLine, RiskFootnote and Sentence give the templates the
// same words as the PDF.
func (r *report) CoverFacts() [][2]string { return r.coverFacts() }
func (r *report) TotalsLine() string      { return totalsLine(r.ComplianceTotal) }
func (r *report) NoNonConformity() string { return noNonConformity(r.ComplianceTotal) }
func (r *report) MacroRiskIntro() string  { return macroRiskIntro }
func (r *report) RiskFootnote() string    { return riskFootnote(r) }
func (s signature) Sentence() string      { return signatureSentence(s) }

// normativeIntro opens the quadro normativo.
func normativeIntro(r *report) string {
	if len(r.Normative) == 0 {
		return "Le misure verificate provengono dal catalogo «" + r.CatalogueRef + "», che non richiama atti normativi."
	}
	return "Le misure verificate provengono dal catalogo «" + r.CatalogueRef + "». Le misure di origine normativa richiamano i seguenti atti, ciascuno con le misure che lo citano; il riferimento puntuale (articolo, allegato, guida tecnica) è indicato per ogni misura nello stato attuale."
}

// NormativeIntro gives the template the same words as the PDF.
func (r *report) NormativeIntro() string { return normativeIntro(r) }

// question is the item's full question, empty when the title already is it.
func question(it *checklist.Item) string {
	if q := strings.TrimSpace(it.Question); q != "" && q != it.Title() {
		return q
	}
	return ""
}

// annexList names the bundle's files that go with the plan, as the
// Allegati part lists them.
var annexList = [][2]string{
	{"piano-sicurezza-cie.odt", "questo documento in formato OpenDocument, modificabile con LibreOffice Writer"},
	{"piano-sicurezza-cie.html", "questo documento come pagina web, da leggere o stampare con un browser"},
	{"risposte.csv", "esito, nota e autore di ogni misura verificata (risultati della checklist)"},
	{"postazioni.csv", "sedi e postazioni con l'inventario dei beni"},
	{"operatori.csv", "registro degli operatori e delle smart card operatore (SCO)"},
	{"eventi.csv", "registro degli eventi di sicurezza"},
	{"variazioni.csv", "variazioni del piano dopo la trasmissione"},
	{"rischi.csv", "rischio inerente e residuo per minaccia e ambito"},
	{"azioni.csv", "azioni migliorative con responsabile e scadenza"},
	{"confronto.csv", "confronto con l'audit dell'anno precedente, misura per misura"},
	{"storico.csv", "registro completo delle modifiche"},
	{"audit.xlsx", "le stesse tabelle in un unico foglio di calcolo"},
	{"audit.json", "l'audit completo, per l'archiviazione e il riuso"},
	{"SHA256SUMS", "impronte SHA-256 di ogni file, per verificarne l'integrità"},
}

// Annexes gives the renderers the annex list: the fixed files, then the
// pinned catalogue's YAML and the stemma, which the bundle also carries.
func (r *report) Annexes() [][2]string {
	out := slices.Clone(annexList)
	for i := range out {
		// The bundle always has every table: say which ones are empty.
		switch {
		case out[i][0] == "rischi.csv" && !r.RiskModel:
			out[i][1] = "vuoto: il catalogo non ha un modello di rischio"
		case out[i][0] == "confronto.csv" && r.Comparison == nil:
			out[i][1] = "vuoto: l'audit non parte da un audit dell'anno precedente"
		}
	}
	if r.CatalogueFile != "" {
		// The folder, not the file: its name is the catalogue's key.
		out = append(out, [2]string{DirCatalogue + "/", "il catalogo delle misure usato dall'audit (file YAML), esattamente come caricato"})
	}
	if r.Logo != nil {
		out = append(out, [2]string{(&checklist.Logo{Type: r.Logo.Type}).FileName(), "lo stemma dell'ente stampato sul frontespizio"})
	}
	return out
}

// originNote says how many measures are good practice, or only in part
// law, and how the document marks them (part 2.1 of every format).
func originNote(goodPractice, partly int) string {
	var s []string
	if goodPractice > 0 {
		s = append(s, checklist.Count(goodPractice,
			"misura del catalogo è una buona pratica dedotta dall'esperienza e non un requisito di legge: nel documento è contrassegnata con «buona pratica».",
			"misure del catalogo sono buone pratiche dedotte dall'esperienza e non requisiti di legge: nel documento sono contrassegnate con «buona pratica»."))
	}
	if partly > 0 {
		s = append(s, checklist.Count(partly,
			"misura poggia su una fonte normativa ma aggiunge requisiti dedotti: è contrassegnata con «in parte buona pratica».",
			"misure poggiano su una fonte normativa ma aggiungono requisiti dedotti: sono contrassegnate con «in parte buona pratica»."))
	}
	if len(s) == 0 {
		return "Tutte le misure del catalogo poggiano su una fonte normativa."
	}
	return strings.Join(s, " ")
}

// reverifyNote is the comparison's sentence on the answers carried from
// the previous year still to be verified again, "" when there are none.
func reverifyNote(n int) string {
	if n == 0 {
		return ""
	}
	return checklist.Count(n,
		"risposta riportata dall'anno precedente è ancora da riverificare e conta come non verificata.",
		"risposte riportate dall'anno precedente sono ancora da riverificare e contano come non verificate.")
}

// fieldLabels names in Italian the stored keys of the ente, a sede and a
// postazione, as the history records their changes ("postazione
// PG01.hardware.pc: …", see storage's diffAudit).
var fieldLabels = map[string]string{
	"name": "nome", "istat": "codice ISTAT", "province": "provincia", "prefettura": "Prefettura",
	"population": "popolazione", "sindaco": "sindaco", "responsabile_sicurezza": "responsabile della sicurezza",
	"referente_cie": "referente CIE", "address": "indirizzo", "rooms": "locali", "code": "codice",
	"sede": "sede", "room": "locale", "office": "tipo", "os": "sistema operativo", "notes": "note",
	"pc": "PC", "lettore_impronte": "lettore di impronte", "lettore_smart_card": "lettore smart card",
	"multifunzione": "multifunzione", "lettore_barcode": "lettore di codici a barre", "altro": "altro apparato",
}

// readableFields rewrites the stored keys of an audit or perimeter change
// for people: "postazione PG01.hardware.pc: Dell" becomes "postazione PG01,
// PC: Dell", "ente.sindaco: Anna Rossi" becomes "sindaco: Anna Rossi" and
// an office key its label. A part whose key is not one of those known is
// left as it is (the full text is in storico.csv).
func readableFields(s string) string {
	parts := strings.Split(s, "; ")
	for i, part := range parts {
		key, value, ok := strings.Cut(part, ": ")
		if !ok {
			continue
		}
		owner, path, ok := strings.Cut(key, ".")
		if !ok || owner == "" {
			continue
		}
		var labels []string
		last := ""
		for seg := range strings.SplitSeq(path, ".") {
			if seg == "hardware" {
				continue
			}
			l, known := fieldLabels[seg]
			if !known {
				labels = nil
				break
			}
			labels, last = append(labels, l), seg
		}
		if len(labels) == 0 {
			continue
		}
		if last == "office" {
			value = checklist.Office(value).Label()
		}
		label := strings.Join(labels, ", ")
		if owner != "ente" {
			label = owner + ", " + label
		}
		parts[i] = label + ": " + value
	}
	return strings.Join(parts, "; ")
}

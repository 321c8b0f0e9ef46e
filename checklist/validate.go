package checklist

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse decodes and validates a catalogue. filename is only used to locate
// problems. On any problem it returns a *ValidationError listing all of
// them, each at file:line:column with the field's path.
func Parse(src []byte, filename string) (*Catalogue, error) {
	v := &validator{file: filename, pos: map[string]position{}}
	if !v.checkSource(src) {
		return nil, v.result()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		v.syntax(err)
		return nil, v.result()
	}
	v.checkDocuments(src)
	v.checkTexts(&doc, "", 0)
	if len(doc.Content) == 0 {
		v.add(position{1, 1}, "", "il file è vuoto: atteso un catalogo YAML")
		return nil, v.result()
	}
	root := doc.Content[0]
	v.shape(root, reflect.TypeOf(Catalogue{}), "")
	if len(v.problems) > 0 {
		// A catalogue with the wrong shape cannot be decoded reliably, so
		// stop before the semantic checks to avoid cascades.
		return nil, v.result()
	}
	var c Catalogue
	if err := root.Decode(&c); err != nil {
		v.add(position{root.Line, root.Column}, "", err.Error())
		return nil, v.result()
	}
	v.catalogue(&c)
	v.checkIDs(&c)
	if err := v.result(); err != nil {
		return nil, err
	}
	c.Digest = digest(src)
	c.Raw = append([]byte(nil), src...)
	c.index()
	return &c, nil
}

type position struct{ line, col int }

type validator struct {
	file     string
	problems []Problem
	// nodes counts the YAML nodes shape has visited: aliases make a small
	// file expand into a huge tree, so past maxNodes it stops.
	nodes int
	// pos maps a field path to where its value (or, for a missing field,
	// its parent) starts in the file.
	pos map[string]position
}

func (v *validator) add(p position, field, msg string) {
	v.problems = append(v.problems, Problem{File: v.file, Line: p.line, Column: p.col, Field: field, Message: msg})
}

// at reports a problem on a field, located at the field or at its nearest
// present ancestor.
func (v *validator) at(field, format string, args ...any) {
	p := position{1, 1}
	for f := field; ; {
		if fp, ok := v.pos[f]; ok {
			p = fp
			break
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			if fp, ok := v.pos[""]; ok {
				p = fp
			}
			break
		}
		f = f[:i]
	}
	v.add(p, field, fmt.Sprintf(format, args...))
}

func (v *validator) result() error {
	if len(v.problems) == 0 {
		return nil
	}
	sort.SliceStable(v.problems, func(i, j int) bool {
		a, b := v.problems[i], v.problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &ValidationError{Problems: v.problems}
}

var yamlLine = regexp.MustCompile(`line (\d+)(?::\s*|\s)`)

func (v *validator) syntax(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringIndex(msg); m != nil && m[0] == 0 {
		msg = msg[m[1]:]
	}
	// yaml.v3 reports the line where the enclosing block starts, which is
	// where the auditor has to look, not always the broken line itself.
	v.add(position{line, 1}, "", "YAML non valido (nel blocco che inizia a questa riga): "+msg)
}

// shape checks the YAML tree against the Go type: unknown and duplicate
// keys, mappings where mappings belong, lists where lists belong, numbers
// where numbers belong. It records every field's position for later checks.
// maxNodes bounds the nodes of a catalogue, with aliases expanded. The
// built-in catalogue has about 8,000.
const maxNodes = 200_000

func (v *validator) shape(n *yaml.Node, t reflect.Type, path string) {
	if v.nodes++; v.nodes > maxNodes {
		if v.nodes == maxNodes+1 {
			v.add(position{n.Line, n.Column}, path, fmt.Sprintf("catalogo troppo grande: oltre %d elementi una volta espansi gli alias (&/*); eliminare gli alias annidati", maxNodes))
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	v.pos[path] = position{n.Line, n.Column}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			v.add(position{n.Line, n.Column}, path, "attesa una mappa di campi (chiave: valore)")
			return
		}
		fields := yamlFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			name := join(path, shownKey(k.Value))
			if line, dup := seen[k.Value]; dup {
				v.add(position{k.Line, k.Column}, name, fmt.Sprintf("chiave ripetuta (già definita alla riga %d)", line))
				continue
			}
			seen[k.Value] = k.Line
			f, ok := fields[k.Value]
			if !ok {
				v.add(position{k.Line, k.Column}, name, fmt.Sprintf("campo sconosciuto %q (campi ammessi: %s)", shownKey(k.Value), strings.Join(sortedKeys(fields), ", ")))
				continue
			}
			v.shape(val, f.Type, name)
		}
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			v.add(position{n.Line, n.Column}, path, "attesa una lista")
			return
		}
		for i, c := range n.Content {
			v.shape(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			v.add(position{n.Line, n.Column}, path, "atteso un testo")
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			v.add(position{n.Line, n.Column}, path, fmt.Sprintf("atteso un numero intero, trovato %q", n.Value))
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			v.add(position{n.Line, n.Column}, path, fmt.Sprintf("atteso un numero, trovato %q", n.Value))
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (v *validator) required(field, value, what string) {
	if strings.TrimSpace(value) == "" {
		v.at(field, "%s mancante", what)
	}
}

// uniqueID checks that an id is present and not already in seen, and
// records it; what names the element, e.g. "minaccia".
func (v *validator) uniqueID(field, id string, seen map[string]bool, what string) {
	v.required(field, id, "id della "+what)
	if id != "" && seen[id] {
		v.at(field, "id di %s %q duplicato", what, id)
	}
	seen[id] = true
}

func oneOf[T ~string](value T, allowed []T) bool { return slices.Contains(allowed, value) }

func list[T ~string](allowed []T) string {
	s := make([]string, len(allowed))
	for i, a := range allowed {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func (v *validator) catalogue(c *Catalogue) {
	v.required("id", c.ID, "identificativo del catalogo (id)")
	v.required("version", c.Version, "versione del catalogo (version)")
	v.required("title", c.Title, "titolo in italiano (title)")
	if c.Language != "it" {
		v.at("language", "lingua %q non supportata: il catalogo deve essere in italiano (language: it)", c.Language)
	}
	if strings.ContainsAny(c.ID+c.Version, "@ \t\n") {
		v.at("id", "id e version non possono contenere spazi o '@'")
	}
	_, hasRisk := v.pos["risk"]
	switch {
	case hasRisk:
		v.scale(&c.Risk)
	case len(c.Threats) > 0:
		v.at("risk", "modello di rischio (risk) mancante: un catalogo con minacce deve definire scale, fasce e mitigazione massima")
	}

	threats := map[string]bool{}
	for i, t := range c.Threats {
		p := fmt.Sprintf("threats[%d]", i)
		v.uniqueID(p+".id", t.ID, threats, "minaccia")
		v.required(p+".name", t.Name, "nome in italiano della minaccia (name)")
		if !oneOf(t.Source, []ThreatSource{SourceHuman, SourceEnvironment, SourceTools}) {
			v.at(p+".source", "origine %q non valida: usare umano, contesto o strumenti", t.Source)
		}
		if len(t.Areas) == 0 {
			v.at(p+".areas", "indicare almeno un'area di impatto (riservatezza, integrita, disponibilita)")
		}
		for j, a := range t.Areas {
			if !oneOf(a, []ImpactArea{AreaConfidentiality, AreaIntegrity, AreaAvailability}) {
				v.at(fmt.Sprintf("%s.areas[%d]", p, j), "area %q non valida: usare riservatezza, integrita o disponibilita", a)
			}
		}
		if hasRisk {
			v.scaleValue(p+".probability", t.Probability, c.Risk.Probability, "probabilità")
			v.scaleValue(p+".impact", t.Impact, c.Risk.Impact, "impatto")
		}
	}
	vulns := map[string]bool{}
	for i, vu := range c.Vulnerabilities {
		p := fmt.Sprintf("vulnerabilities[%d]", i)
		v.uniqueID(p+".id", vu.ID, vulns, "vulnerabilità")
		v.required(p+".name", vu.Name, "nome in italiano della vulnerabilità (name)")
	}

	if len(c.Sections) == 0 {
		v.at("sections", "il catalogo non definisce sezioni")
	}
	sections := map[string]bool{}
	items := map[string]string{}
	for si, s := range c.Sections {
		sp := fmt.Sprintf("sections[%d]", si)
		v.uniqueID(sp+".id", s.ID, sections, "sezione")
		v.required(sp+".title", s.Title, "titolo in italiano della sezione (title)")
		if len(s.Items) == 0 {
			v.at(sp+".items", "la sezione %q non contiene misure", s.ID)
		}
		for ii := range s.Items {
			ip := fmt.Sprintf("%s.items[%d]", sp, ii)
			it := &s.Items[ii]
			if prev, dup := items[it.ID]; dup && it.ID != "" {
				v.at(ip+".id", "id di misura %q duplicato (già usato in %s)", it.ID, prev)
			}
			items[it.ID] = ip
			v.item(ip, it, threats, vulns)
		}
	}
}

func (v *validator) scale(r *RiskScale) {
	for _, axis := range []struct {
		name   string
		levels []ScaleLevel
	}{{"probability", r.Probability}, {"impact", r.Impact}} {
		p := "risk." + axis.name
		if len(axis.levels) == 0 {
			v.at(p, "scala vuota: definire i livelli con value e label")
		}
		for i, l := range axis.levels {
			lp := fmt.Sprintf("%s[%d]", p, i)
			if l.Value != i+1 {
				v.at(lp+".value", "valore %d fuori sequenza: i livelli vanno numerati 1, 2, 3… (atteso %d)", l.Value, i+1)
			}
			v.required(lp+".label", l.Label, "etichetta in italiano del livello (label)")
		}
	}
	if len(r.Bands) == 0 {
		v.at("risk.bands", "definire almeno una fascia di rischio (es. basso, medio, alto, critico)")
	}
	ids := map[string]bool{}
	last := 0.0
	for i, b := range r.Bands {
		bp := fmt.Sprintf("risk.bands[%d]", i)
		v.required(bp+".id", b.ID, "id della fascia")
		if ids[b.ID] && b.ID != "" {
			v.at(bp+".id", "id di fascia %q duplicato", b.ID)
		}
		ids[b.ID] = true
		v.required(bp+".label", b.Label, "etichetta in italiano della fascia (label)")
		if b.Max <= last {
			v.at(bp+".max", "le fasce vanno in ordine crescente: max %g non supera il precedente %g", b.Max, last)
		}
		last = b.Max
		if b.Colour != "" && !hexColour.MatchString(b.Colour) {
			v.at(bp+".colour", "colore %q non valido: usare il formato #rrggbb", b.Colour)
		}
	}
	if len(r.Bands) > 0 && last < float64(r.MaxRisk()) {
		v.at(fmt.Sprintf("risk.bands[%d].max", len(r.Bands)-1), "l'ultima fascia arriva a %g ma il rischio massimo (probabilità × impatto) è %d", last, r.MaxRisk())
	}
	if r.PartialFactor < 0 || r.PartialFactor > 1 {
		v.at("risk.partial_factor", "fattore %g fuori intervallo: deve essere tra 0 e 1", r.PartialFactor)
	}
	if _, ok := v.pos["risk.max_mitigation"]; !ok {
		v.at("risk.max_mitigation", "mitigazione massima (max_mitigation) mancante: indicare la percentuale massima, tra 1 e 100, che le misure possono togliere a una minaccia")
	} else if r.MaxMitigation < 1 || r.MaxMitigation > 100 {
		v.at("risk.max_mitigation", "mitigazione massima %d fuori intervallo: deve essere tra 1 e 100", r.MaxMitigation)
	}
}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func (v *validator) scaleValue(field string, value int, levels []ScaleLevel, what string) {
	if _, ok := v.pos[field]; !ok {
		v.at(field, "%s mancante: indicare un valore tra 1 e %d", what, len(levels))
	} else if value < 1 || value > len(levels) {
		v.at(field, "%s %d fuori scala: deve essere tra 1 e %d", what, value, len(levels))
	}
}

func (v *validator) item(p string, it *Item, threats, vulns map[string]bool) {
	v.required(p+".id", it.ID, "id della misura")
	if !oneOf(it.Category, Categories) {
		v.at(p+".category", "categoria %q non valida: usare %s", it.Category, list(Categories))
	}
	if !oneOf(it.Scope, ScopeKinds) {
		v.at(p+".scope", "ambito %q non valido: usare %s", it.Scope, list(ScopeKinds))
	}
	if !oneOf(it.Level, Levels) {
		v.at(p+".level", "livello %q non valido: usare %s", it.Level, list(Levels))
	}
	v.required(p+".question", it.Question, "domanda in italiano (question)")
	v.required(p+".guidance", it.Guidance, "indicazioni in italiano per la verifica (guidance)")
	if len(it.Origin) == 0 {
		v.at(p+".origin", "indicare l'origine della misura (%s)", list(Origins))
	}
	for i, o := range it.Origin {
		if !oneOf(o, Origins) {
			v.at(fmt.Sprintf("%s.origin[%d]", p, i), "origine %q non valida: usare %s", o, list(Origins))
		}
		if o == OriginLaw && noReference(it.Reference) {
			v.at(p+".reference", "l'origine «norma» richiede il riferimento alla norma (reference), ad esempio «D.Lgs. 196/2003 art. 31»")
		}
	}
	if _, ok := v.pos[p+".macroprocess"]; ok && len(it.Macroprocess) == 0 {
		v.at(p+".macroprocess", "indicare almeno un macroprocesso (%s) o togliere il campo", list(Macroprocesses))
	}
	for i, m := range it.Macroprocess {
		if !oneOf(m, Macroprocesses) {
			v.at(fmt.Sprintf("%s.macroprocess[%d]", p, i), "macroprocesso %q non valido: usare %s", m, list(Macroprocesses))
		}
	}
	switch it.CompliantAnswer {
	case "", "si", "sì":
		it.CompliantAnswer = ""
	case OutcomeNo:
	default:
		v.at(p+".compliant_answer", "risposta conforme %q non valida: usare si (predefinito) o no", it.CompliantAnswer)
	}
	if it.Vulnerability != "" && !vulns[it.Vulnerability] {
		v.at(p+".vulnerability", "vulnerabilità %q non definita in vulnerabilities", it.Vulnerability)
	}

	kinds := []AnswerKind{KindOutcome, KindNumber, KindText, KindDate, KindChoice}
	if it.Answer.Kind == "" {
		it.Answer.Kind = KindOutcome
	}
	ap := p + ".answer"
	if !oneOf(it.Answer.Kind, kinds) {
		v.at(ap+".kind", "tipo di risposta %q non valido: usare %s", it.Answer.Kind, list(kinds))
	}
	if it.Negative() && it.Answer.Kind != KindOutcome {
		v.at(p+".compliant_answer", "compliant_answer vale solo per le risposte di tipo esito (sì/no): per una scelta indicare l'esito di ogni scelta (outcome)")
	}
	if it.Answer.Unit != "" && it.Answer.Kind != KindNumber {
		v.at(ap+".unit", "l'unità di misura vale solo per le risposte di tipo numero")
	}
	hasOutcome := false
	if it.Answer.Kind == KindChoice {
		if len(it.Answer.Choices) < 2 {
			v.at(ap+".choices", "una risposta a scelta richiede almeno due scelte")
		}
		seen := map[string]bool{}
		for i, c := range it.Answer.Choices {
			cp := fmt.Sprintf("%s.choices[%d]", ap, i)
			v.required(cp+".id", c.ID, "id della scelta")
			if seen[c.ID] && c.ID != "" {
				v.at(cp+".id", "id di scelta %q duplicato", c.ID)
			}
			seen[c.ID] = true
			v.required(cp+".label", c.Label, "etichetta in italiano della scelta (label)")
			if c.Outcome != "" && !oneOf(c.Outcome, []Outcome{OutcomeYes, OutcomePartial, OutcomeNo}) {
				v.at(cp+".outcome", "esito %q non valido: usare si, parziale o no", c.Outcome)
			}
			hasOutcome = hasOutcome || c.Outcome != ""
		}
	} else if len(it.Answer.Choices) > 0 {
		v.at(ap+".choices", "le scelte valgono solo per le risposte di tipo scelta")
	}

	switch {
	case it.Answer.Kind == KindNumber || it.Answer.Kind == KindText || it.Answer.Kind == KindDate:
		if len(it.Threats) > 0 {
			v.at(p+".threats", "una risposta di tipo %s non dice se la misura è attuata: non può mitigare minacce", it.Answer.Kind)
		}
	case it.Answer.Kind == KindChoice && !hasOutcome && len(it.Threats) > 0:
		v.at(p+".threats", "per mitigare minacce almeno una scelta deve avere un esito (outcome)")
	}
	linked := map[string]bool{}
	for i, l := range it.Threats {
		lp := fmt.Sprintf("%s.threats[%d]", p, i)
		switch {
		case l.Threat == "":
			v.at(lp+".threat", "minaccia mancante")
		case !threats[l.Threat]:
			v.at(lp+".threat", "minaccia %q non definita in threats", l.Threat)
		case linked[l.Threat]:
			v.at(lp+".threat", "minaccia %q collegata due volte alla stessa misura", l.Threat)
		}
		linked[l.Threat] = true
		if _, ok := v.pos[lp+".mitigation"]; !ok {
			v.at(lp+".mitigation", "mitigazione (mitigation) mancante: indicare la percentuale, tra 0 e 100, di rischio che la misura toglie")
		} else if l.Mitigation < 0 || l.Mitigation > 100 {
			v.at(lp+".mitigation", "mitigazione %d%% fuori intervallo: deve essere tra 0 e 100", l.Mitigation)
		}
	}
}

// noReference reports whether a reference is empty or the "—" placeholder.
func noReference(ref string) bool {
	ref = strings.TrimSpace(ref)
	return ref == "" || ref == "—" || ref == "-"
}

// Builtin parses the catalogue embedded in the binary.
func Builtin() (*Catalogue, error) {
	c, err := Parse(BuiltinSource, BuiltinFilename)
	if err != nil {
		return nil, fmt.Errorf("catalogo incorporato: %w", err)
	}
	return c, nil
}

// IsValidationError reports whether err lists catalogue problems.
func IsValidationError(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

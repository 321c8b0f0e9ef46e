// Package cisoassistant converts a framework library of CISO Assistant
// (intuitem's open-source GRC tool, YAML library format) into a cieaudit
// catalogue: a plain compliance checklist, without a risk model.
//
// The library's requirement nodes form a tree (parent_urn). Each top node
// becomes a section; each assessable node below it (or the top node itself,
// when assessable) becomes an item, with its ref_id as ID and reference, its
// description (or name) as question, its annotation and typical evidence as
// guidance and its implementation group as level (M/S/A, as in AGID's
// "Misure minime di sicurezza ICT per le PA", give minimo/standard/alto).
// The result is YAML in cieaudit's catalogue format, which the caller
// validates with checklist.Parse like any other catalogue.
package cisoassistant

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cieaudit/cieaudit/checklist"
)

// Options are the choices the library cannot make: what cieaudit needs and
// CISO Assistant does not record.
type Options struct {
	// ID and Version override the catalogue key derived from the library
	// (its ref_id and version).
	ID, Version string
	// Scope is where every item is answered (default ente).
	Scope checklist.ScopeKind
	// Category of every item (default tecnica).
	Category checklist.Category
	// Origin tag of every item (default norma: a law or regulation, named
	// by each item's reference).
	Origin checklist.Origin
	// Levels maps implementation groups (ref_id or name, case-insensitive)
	// to levels; M, S, A and Minimo, Standard, Alto are always known.
	Levels map[string]checklist.Level
	// Reference is the text before each requirement's ref_id in the item's
	// reference (default the framework's name), e.g. the act that makes the
	// framework binding.
	Reference string
	// DefaultLevel is the level of items without an implementation group
	// (default minimo).
	DefaultLevel checklist.Level
}

// Result is the converted catalogue and what the conversion left out.
type Result struct {
	YAML     []byte
	ID       string
	Version  string
	Sections int
	Items    int
	ByLevel  map[checklist.Level]int
	// Skipped lists, in Italian, the top nodes that held nothing to assess.
	Skipped []string
}

// MaxSize bounds the library file read.
const MaxSize = 32 << 20

type library struct {
	URN       string `yaml:"urn"`
	Locale    string `yaml:"locale"`
	RefID     string `yaml:"ref_id"`
	Name      string `yaml:"name"`
	Copyright string `yaml:"copyright"`
	Version   any    `yaml:"version"`
	Provider  string `yaml:"provider"`
}

type framework struct {
	URN         string `yaml:"urn"`
	RefID       string `yaml:"ref_id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Groups      []struct {
		RefID string `yaml:"ref_id"`
		Name  string `yaml:"name"`
	} `yaml:"implementation_groups_definition"`
}

type node struct {
	URN             string   `yaml:"urn"`
	ParentURN       string   `yaml:"parent_urn"`
	Assessable      bool     `yaml:"assessable"`
	RefID           string   `yaml:"ref_id"`
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	Annotation      string   `yaml:"annotation"`
	TypicalEvidence string   `yaml:"typical_evidence"`
	Groups          []string `yaml:"implementation_groups"`

	line     int
	children []*node
}

// Convert reads a CISO Assistant library and returns the cieaudit catalogue.
// Errors are Italian sentences naming the file and line.
func Convert(src []byte, filename string, opts Options) (*Result, error) {
	fail := func(line int, format string, args ...any) error {
		if line > 0 {
			return fmt.Errorf("%s:%d: %s", filename, line, fmt.Sprintf(format, args...))
		}
		return fmt.Errorf("%s: %s", filename, fmt.Sprintf(format, args...))
	}
	if len(src) > MaxSize {
		return nil, fail(0, "file troppo grande (oltre %d MiB) per una libreria CISO Assistant", MaxSize>>20)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fail(0, "YAML non valido: %v", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fail(0, "atteso un mapping YAML: non è una libreria CISO Assistant")
	}
	root := doc.Content[0]
	var lib library
	if err := root.Decode(&lib); err != nil {
		return nil, fail(root.Line, "intestazione della libreria non valida: %v", err)
	}
	fwNode := lookup(root, "objects", "framework")
	if fwNode == nil {
		return nil, fail(root.Line, "manca objects.framework: non è una libreria CISO Assistant con un framework")
	}
	if lib.Locale != "" && !strings.EqualFold(lib.Locale, "it") {
		return nil, fail(keyLine(root, "locale"), "la libreria è in lingua %q: un catalogo cieaudit è in italiano (locale: it)", lib.Locale)
	}
	var fw framework
	if err := fwNode.Decode(&fw); err != nil {
		return nil, fail(fwNode.Line, "framework non valido: %v", err)
	}
	nodesNode := lookup(fwNode, "requirement_nodes")
	if nodesNode == nil || nodesNode.Kind != yaml.SequenceNode || len(nodesNode.Content) == 0 {
		return nil, fail(fwNode.Line, "il framework non ha requirement_nodes")
	}

	// The tree, in file order.
	byURN := map[string]*node{}
	var all []*node
	for _, n := range nodesNode.Content {
		var rn node
		if err := n.Decode(&rn); err != nil {
			return nil, fail(n.Line, "requisito non valido: %v", err)
		}
		rn.line = n.Line
		if rn.URN == "" {
			return nil, fail(n.Line, "requisito senza urn")
		}
		if prev, ok := byURN[rn.URN]; ok {
			return nil, fail(n.Line, "urn %q ripetuto (già alla riga %d)", rn.URN, prev.line)
		}
		byURN[rn.URN] = &rn
		all = append(all, &rn)
	}
	var tops []*node
	for _, n := range all {
		if n.ParentURN == "" {
			tops = append(tops, n)
			continue
		}
		p, ok := byURN[n.ParentURN]
		if !ok {
			return nil, fail(n.line, "parent_urn %q non corrisponde a nessun requisito", n.ParentURN)
		}
		p.children = append(p.children, n)
	}

	levels, err := levelMap(opts, fw)
	if err != nil {
		return nil, fail(keyLine(fwNode, "implementation_groups_definition"), "%v", err)
	}
	opts = withDefaults(opts)
	res := &Result{ByLevel: map[checklist.Level]int{}}
	res.ID = opts.ID
	if res.ID == "" {
		res.ID = strings.ToLower(sanitize(firstOf(fw.RefID, lib.RefID, fw.Name)))
	}
	res.Version = opts.Version
	if res.Version == "" {
		res.Version = sanitize(fmt.Sprint(firstOf(versionText(lib.Version), "1")))
	}
	if res.ID == "" {
		return nil, fail(fwNode.Line, "il framework non ha ref_id né nome: indicare l'ID del catalogo con --id")
	}
	frameworkName := firstOf(fw.Name, lib.Name, fw.RefID)
	refPrefix := firstOf(opts.Reference, frameworkName)

	out := catalogueYAML{
		ID: res.ID, Version: res.Version, Title: clean(frameworkName), Language: "it",
		Source: source(lib, fw),
	}
	seenID := map[string]int{}
	for _, top := range tops {
		var items []itemYAML
		var visit func(n *node) error
		visit = func(n *node) error {
			if n.Assessable {
				it, err := item(n, refPrefix, levels, opts)
				if err != nil {
					return fail(n.line, "%v", err)
				}
				if prev, ok := seenID[it.ID]; ok {
					return fail(n.line, "il requisito %q dà l'ID %s, già usato alla riga %d", n.RefID, it.ID, prev)
				}
				seenID[it.ID] = n.line
				items = append(items, it)
				res.ByLevel[checklist.Level(it.Level)]++
			}
			for _, c := range n.children {
				if err := visit(c); err != nil {
					return err
				}
			}
			return nil
		}
		if err := visit(top); err != nil {
			return nil, err
		}
		title := sectionTitle(top)
		if len(items) == 0 {
			res.Skipped = append(res.Skipped, fmt.Sprintf("riga %d: %q non contiene requisiti valutabili (assessable: true)", top.line, title))
			continue
		}
		id := sanitize(firstOf(top.RefID, lastSegment(top.URN)))
		out.Sections = append(out.Sections, sectionYAML{ID: id, Title: title, Description: descriptionOf(top, title), Items: items})
		res.Items += len(items)
	}
	if len(out.Sections) == 0 {
		return nil, fail(nodesNode.Line, "nessun requisito valutabile (assessable: true): niente da verificare")
	}
	res.Sections = len(out.Sections)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Catalogo convertito da una libreria CISO Assistant con\n# cieaudit catalog import --format ciso-assistant %s\n",
		sanitize(filepath.Base(filename)))
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	res.YAML = b.Bytes()
	return res, nil
}

type catalogueYAML struct {
	ID       string        `yaml:"id"`
	Version  string        `yaml:"version"`
	Title    string        `yaml:"title"`
	Language string        `yaml:"language"`
	Source   string        `yaml:"source"`
	Sections []sectionYAML `yaml:"sections"`
}

type sectionYAML struct {
	ID          string     `yaml:"id"`
	Title       string     `yaml:"title"`
	Description string     `yaml:"description,omitempty"`
	Items       []itemYAML `yaml:"items"`
}

type itemYAML struct {
	ID        string   `yaml:"id"`
	Category  string   `yaml:"category"`
	Scope     string   `yaml:"scope"`
	Level     string   `yaml:"level"`
	Short     string   `yaml:"short,omitempty"`
	Question  string   `yaml:"question"`
	Guidance  string   `yaml:"guidance"`
	Reference string   `yaml:"reference"`
	Origin    []string `yaml:"origin"`
}

// genericGuidance is the guidance of a requirement that brings none.
const genericGuidance = "Verificare che il requisito sia attuato, con evidenze documentali o tecniche: sì se attuato " +
	"per intero, parziale se attuato solo in parte o non per tutti i sistemi, no se non attuato."

func item(n *node, refPrefix string, levels map[string]checklist.Level, opts Options) (itemYAML, error) {
	ref := clean(firstOf(n.RefID, lastSegment(n.URN)))
	question := clean(firstOf(n.Description, n.Name))
	if question == "" {
		return itemYAML{}, fmt.Errorf("il requisito %q non ha né description né name: non c'è nulla da chiedere", ref)
	}
	short := ""
	if n.Name != "" && n.Description != "" {
		short = truncate(clean(n.Name), 60)
	}
	var guidance []string
	if a := clean(n.Annotation); a != "" {
		guidance = append(guidance, a)
	}
	if e := clean(n.TypicalEvidence); e != "" {
		guidance = append(guidance, "Evidenze tipiche: "+e)
	}
	if len(guidance) == 0 {
		guidance = append(guidance, genericGuidance)
	}
	level := opts.DefaultLevel
	if len(n.Groups) > 0 {
		best := -1
		for _, g := range n.Groups {
			l, ok := levels[strings.ToLower(strings.TrimSpace(g))]
			if !ok {
				return itemYAML{}, fmt.Errorf("gruppo di attuazione %q del requisito %q sconosciuto: indicarne il livello con --groups %s=minimo|standard|alto", g, ref, g)
			}
			// An item required at a lower level is required at the higher ones too.
			if r := slices.Index(checklist.Levels, l); best < 0 || r < best {
				best, level = r, l
			}
		}
	}
	return itemYAML{
		ID: sanitize(ref), Category: string(opts.Category), Scope: string(opts.Scope), Level: string(level),
		Short: short, Question: question, Guidance: strings.Join(guidance, "\n\n"),
		Reference: clean(refPrefix) + ", " + ref, Origin: []string{string(opts.Origin)},
	}, nil
}

// levelMap is the implementation group → level table: M/S/A and the
// Italian names, then the groups the framework defines by those names,
// then the caller's.
func levelMap(opts Options, fw framework) (map[string]checklist.Level, error) {
	m := map[string]checklist.Level{
		"m": checklist.LevelMinimum, "s": checklist.LevelStandard, "a": checklist.LevelHigh,
	}
	for _, l := range checklist.Levels {
		m[string(l)] = l
	}
	for _, g := range fw.Groups {
		if l, ok := m[strings.ToLower(strings.TrimSpace(g.Name))]; ok && g.RefID != "" {
			m[strings.ToLower(g.RefID)] = l
		}
	}
	for g, l := range opts.Levels {
		if !slices.Contains(checklist.Levels, l) {
			return nil, fmt.Errorf("livello %q non valido per il gruppo %q: usare minimo, standard o alto", l, g)
		}
		m[strings.ToLower(g)] = l
	}
	return m, nil
}

func withDefaults(o Options) Options {
	if o.Scope == "" {
		o.Scope = checklist.ScopeEnte
	}
	if o.Category == "" {
		o.Category = checklist.CategoryTechnical
	}
	if o.Origin == "" {
		o.Origin = checklist.OriginLaw
	}
	if o.DefaultLevel == "" {
		o.DefaultLevel = checklist.LevelMinimum
	}
	return o
}

func source(lib library, fw framework) string {
	parts := []string{"Convertito dalla libreria CISO Assistant " + clean(firstOf(lib.Name, fw.Name))}
	if u := firstOf(fw.URN, lib.URN); u != "" {
		parts = append(parts, "("+clean(u)+")")
	}
	if v := versionText(lib.Version); v != "" {
		parts = append(parts, "versione "+v)
	}
	s := strings.Join(parts, " ")
	if lib.Provider != "" {
		s += "; fornitore: " + clean(lib.Provider)
	}
	if lib.Copyright != "" {
		s += "; diritti: " + clean(lib.Copyright)
	}
	return s + ". Conversione senza modello di rischio (nessuna minaccia)."
}

// sectionTitle is the top node's name or description; a node titled only
// by its code (AGID's "ABSC 1 (CSC 1)") borrows the title of its only
// non-assessable child.
func sectionTitle(top *node) string {
	if t := clean(firstOf(top.Name, top.Description)); t != "" {
		return t
	}
	title := clean(firstOf(top.RefID, lastSegment(top.URN)))
	var groups []*node
	for _, c := range top.children {
		if !c.Assessable {
			groups = append(groups, c)
		}
	}
	if len(groups) == 1 {
		if t := clean(firstOf(groups[0].Name, groups[0].Description, groups[0].RefID)); t != "" {
			title += " — " + t
		}
	}
	return title
}

func descriptionOf(top *node, title string) string {
	if d := clean(top.Description); d != "" && d != title {
		return d
	}
	return ""
}

func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func keyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

func versionText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case int:
		return strconv.Itoa(v)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// sanitize keeps letters, digits, '.', '_' and '-', turning every other run
// of characters into one '-', within checklist.CatalogueIDPattern's 64
// characters: "ABSC 1.1.1" gives "ABSC-1.1.1".
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(s) {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-._")
	if len(id) > 64 {
		id = strings.TrimRight(id[:64], "-._")
	}
	return id
}

func lastSegment(urn string) string {
	if i := strings.LastIndexByte(urn, ':'); i >= 0 {
		return urn[i+1:]
	}
	return urn
}

// clean is a text as the catalogue wants it: one paragraph per blank line,
// no stray spaces; control characters are left for checklist.Parse to refuse.
func clean(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

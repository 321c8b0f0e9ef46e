package export

import (
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// SchemaJSON identifies the layout of audit.json. It changes only when a
// field is removed or changes meaning; added fields keep the version.
//
// v2 adds the yearly cycle: plan, baselines, operators, events and the
// variations derived from the history (docs/export.md).
const SchemaJSON = "cieaudit.audit/v2"

// auditDocument is the layout of audit.json, documented in docs/export.md.
// It is lossless: everything the snapshot holds is in it, with the pinned
// catalogue referenced by id, version and digest. importDocument
// (importbundle.go) reads it back and refuses unknown fields: a field
// added here is added there too (the import round-trip tests fail
// otherwise).
type auditDocument struct {
	Schema string `json:"schema"`
	// GeneratedAt is the snapshot's last change, never the wall clock.
	GeneratedAt time.Time                `json:"generated_at"`
	Audit       checklist.Audit          `json:"audit"`
	Catalogue   catalogueRef             `json:"catalogue"`
	Progress    progressDocument         `json:"progress"`
	Answers     []checklist.Answer       `json:"answers"`
	Evaluations []checklist.Evaluation   `json:"evaluations"`
	History     []checklist.Change       `json:"history"`
	ActionPlans []checklist.ActionPlan   `json:"action_plans"`
	Overrides   []checklist.RiskOverride `json:"overrides"`
	// Risk is the assessment in the form documented in docs/rischio.md.
	Risk *checklist.Assessment `json:"risk"`

	// The yearly cycle (docs/cycle.md). Variations are derived from the
	// history and the baselines; the rest is stored as is.
	Plan       checklist.Plan            `json:"plan"`
	Baselines  []checklist.Baseline      `json:"baselines"`
	Operators  []checklist.Operator      `json:"operators"`
	Events     []checklist.SecurityEvent `json:"events"`
	Variations []checklist.Variation     `json:"variations"`

	// Carried are the predecessor's answers still to re-verify and Upgrade
	// the report of the carry (null for an audit not carried from another);
	// Evidence the attached files' records, each with its path in the
	// bundle. With these audit.json holds everything the database keeps of
	// the audit (docs/export.md, "Import").
	Carried  []checklist.Answer       `json:"carried"`
	Upgrade  *checklist.UpgradeReport `json:"upgrade"`
	Evidence []evidenceDocument       `json:"evidence"`
}

type catalogueRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
	Title   string `json:"title"`
	// File is where the bundle carries the catalogue's YAML (CatalogueFile).
	File string `json:"file"`
}

// evidenceDocument is one evidence record in audit.json: the record as
// stored, and the file of the bundle holding its content.
type evidenceDocument struct {
	checklist.Evidence
	File string `json:"file"`
}

type progressDocument struct {
	Total      int `json:"total"`
	Answered   int `json:"answered"`
	Unanswered int `json:"unanswered"`
}

// WriteJSON writes audit.json: the whole audit, schema-versioned, with
// answers in report order and every list sorted so that the output is
// deterministic. assessment may be nil, in which case it is computed.
func WriteJSON(w io.Writer, snap *checklist.Snapshot, assessment *checklist.Assessment) error {
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	prog := snap.AuditProgress()
	doc := auditDocument{
		Schema:      SchemaJSON,
		GeneratedAt: snap.LastChange().UTC(),
		Audit:       snap.Audit,
		Catalogue:   catalogueRef{snap.Catalogue.ID, snap.Catalogue.Version, snap.Catalogue.Digest, snap.Catalogue.Title, CatalogueFile(snap.Catalogue)},
		Progress:    progressDocument{prog.Total, prog.Answered, prog.Unanswered},
		Answers:     nonNil(sortedAnswers(snap)),
		Evaluations: nonNil(sortedEvaluations(snap)),
		History:     nonNil(slices.SortedStableFunc(slices.Values(snap.History), func(a, b checklist.Change) int { return cmp.Compare(a.Seq, b.Seq) })),
		ActionPlans: nonNil(sortedValues(snap.Actions)),
		Overrides:   nonNil(sortedValues(snap.Overrides)),
		Risk:        assessment,
		Plan:        snap.Plan,
		Baselines:   nonNil(snap.Baselines),
		Operators:   nonNil(snap.Operators),
		Events:      nonNil(snap.Events),
		Variations:  nonNil(checklist.Variations(snap)),
		Carried:     nonNil(sortedCarried(snap)),
		Upgrade:     snap.Upgrade,
		Evidence:    evidenceDocuments(snap.Evidence),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Notes are shown to people, not embedded in HTML: keep <, > and &
	// readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// evidenceDocuments pairs each record with its file in the bundle.
func evidenceDocuments(es []checklist.Evidence) []evidenceDocument {
	out := make([]evidenceDocument, len(es))
	for i, e := range es {
		out[i] = evidenceDocument{e, EvidenceFile(e)}
	}
	return out
}

// sortedCarried orders carried answers as the stored keys are: by scope
// text, then item.
func sortedCarried(snap *checklist.Snapshot) []checklist.Answer {
	return slices.SortedStableFunc(slices.Values(snap.Carried), func(a, b checklist.Answer) int {
		return cmp.Or(cmp.Compare(a.Scope.String(), b.Scope.String()), cmp.Compare(a.Item, b.Item))
	})
}

// sortedEvaluations orders evaluations by scope (audit order) and section
// (catalogue order).
func sortedEvaluations(snap *checklist.Snapshot) []checklist.Evaluation {
	scopeRank := ranks(snap.Audit.Scopes(), func(sc checklist.Scope) checklist.Scope { return sc })
	sectionRank := ranks(snap.Catalogue.Sections, func(s checklist.Section) string { return s.ID })
	evs := slices.Clone(snap.Evaluations)
	slices.SortStableFunc(evs, func(a, b checklist.Evaluation) int {
		return cmp.Or(
			cmp.Compare(rankOf(scopeRank, a.Scope), rankOf(scopeRank, b.Scope)),
			cmp.Compare(a.Scope.String(), b.Scope.String()),
			cmp.Compare(rankOf(sectionRank, a.Section), rankOf(sectionRank, b.Section)),
			cmp.Compare(a.Section, b.Section),
		)
	})
	return evs
}

// sortedValues returns a map's values ordered by key.
func sortedValues[V any](m map[string]V) []V {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// nonNil makes empty lists encode as [] rather than null, so that consumers
// need no special case.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

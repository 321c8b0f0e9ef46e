package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// import --merge: the copy read from a bundle is merged into the audit the
// database already holds (storage.MergeAudit, rules in checklist.Merge),
// and what changed is reported.

// mergeJSON is the document of import --merge --json
// (docs/schema/import-merge.schema.json).
type mergeJSON struct {
	Audit          string                    `json:"audit"`
	Merged         bool                      `json:"merged"`
	Changed        bool                      `json:"changed"`
	HistoryAdded   int                       `json:"history_added"`
	AnswersChanged int                       `json:"answers_changed"`
	RecordsChanged int                       `json:"records_changed"`
	EvidenceAdded  int                       `json:"evidence_added"`
	Dropped        int                       `json:"dropped"`
	Renumbered     []checklist.Renumbering   `json:"renumbered"`
	Conflicts      []checklist.MergeConflict `json:"conflicts"`
}

// importMerge merges imp into the audit of the same ID, or imports it when
// the database does not hold it: over SSH only an administrator may import
// a new audit (the tree gives auditors import with --merge only).
func (a *app) importMerge(s *storage.Store, imp *checklist.ImportedAudit, asJSON bool) error {
	id := imp.Snapshot.Audit.ID
	_, err := s.Audit(id)
	if errors.Is(err, storage.ErrNotFound) {
		if a.remote && !a.role.CanAdminister() {
			return fmt.Errorf("l'audit %s non è in questo database: via SSH un auditor può solo unire una copia a un audit già presente, importare un audit nuovo richiede il ruolo amministratore", id)
		}
		au, err := s.ImportAudit(imp, a.author())
		if err != nil {
			return err
		}
		if asJSON {
			return writeSchemaJSON(a.stdout, "import-merge", mergeJSON{Audit: id, Merged: false, Changed: true,
				HistoryAdded: len(imp.Snapshot.History), AnswersChanged: len(imp.Snapshot.Answers),
				EvidenceAdded: len(imp.Snapshot.Evidence), Renumbered: []checklist.Renumbering{}, Conflicts: []checklist.MergeConflict{}})
		}
		printImported(a, au, imp)
		return nil
	}
	if err != nil {
		return auditErr(id, err)
	}
	res, err := s.MergeAudit(imp, a.author())
	if err != nil {
		return err
	}
	if asJSON {
		doc := mergeJSON{Audit: id, Merged: true, Changed: res.Changed, HistoryAdded: res.HistoryAdded,
			AnswersChanged: res.AnswersChanged, RecordsChanged: res.RecordsChanged, EvidenceAdded: len(res.EvidenceAdded),
			Dropped: res.Dropped, Renumbered: res.Renumbered, Conflicts: res.Conflicts}
		if doc.Renumbered == nil {
			doc.Renumbered = []checklist.Renumbering{}
		}
		if doc.Conflicts == nil {
			doc.Conflicts = []checklist.MergeConflict{}
		}
		for i := range doc.Conflicts {
			c := &doc.Conflicts[i]
			c.Kept.At, c.Other.At = utcOrZero(c.Kept.At), utcOrZero(c.Other.At)
		}
		return writeSchemaJSON(a.stdout, "import-merge", doc)
	}
	return printMergeSummary(a.stdout, imp.Snapshot.Audit, imp.Snapshot.Catalogue, res)
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// printMergeSummary writes the Italian summary of a merge: counts, then one
// line per renumbered entry and per conflict.
func printMergeSummary(w io.Writer, au checklist.Audit, cat *checklist.Catalogue, res *checklist.MergeResult) error {
	clean := func(s string) string { return checklist.CleanText(s, false) }
	title := fmt.Sprintf("Audit %s (%s, %d)", au.ID, clean(au.Ente.Name), au.Year)
	if !res.Changed {
		_, err := fmt.Fprintf(w, "%s: nessuna modifica, la copia importata non contiene nulla che il database non abbia già.\n", title)
		return err
	}
	fmt.Fprintf(w, "%s: unione completata.\n", title)
	fmt.Fprintf(w, "  voci di cronologia aggiunte: %d\n", res.HistoryAdded)
	fmt.Fprintf(w, "  risposte cambiate: %d\n", res.AnswersChanged)
	fmt.Fprintf(w, "  altri dati cambiati (valutazioni, azioni, registri, perimetro, piano): %d\n", res.RecordsChanged)
	fmt.Fprintf(w, "  allegati aggiunti: %d\n", len(res.EvidenceAdded))
	if res.Dropped > 0 {
		fmt.Fprintf(w, "  risposte, valutazioni o allegati di ambiti non più presenti, tolti (restano nello storico): %d\n", res.Dropped)
	}
	for _, r := range res.Renumbered {
		fmt.Fprintf(w, "  rinumerato (%s): %s della copia importata è ora %s, perché %s qui era già usato\n", r.Kind, clean(r.From), clean(r.To), clean(r.From))
	}
	fmt.Fprintf(w, "  conflitti (modificati da entrambe le parti): %d\n", len(res.Conflicts))
	for _, c := range res.Conflicts {
		fmt.Fprintf(w, "  conflitto: %s\n", clean(c.Sentence(cat)))
	}
	return nil
}

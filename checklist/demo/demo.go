// Package demo creates the example audit that a new user explores: a small
// comune with two sedi, three postazioni and an audit about half answered,
// with notes, some non-conformities and a justified N/A.
package demo

import (
	"fmt"
	"hash/fnv"

	"github.com/cieaudit/cieaudit/checklist"
)

// ISTAT is the (fictional) ISTAT code of the demo comune; with Year it
// tells the demo audit apart (Is).
const ISTAT = "099001"

// Year is the year of the demo audit.
const Year = 2026

// Author is recorded as the author of the demo answers.
const Author = "demo"

// Demo is the demo audit as domain values, before it is stored: the caller
// (cmd) stores it in one transaction together with the check that no demo
// exists yet (storage.Store.CreateAuditOnce with Is).
type Demo struct {
	Audit       checklist.Audit
	Answers     []checklist.Answer
	Evaluations []checklist.Evaluation
}

// Build returns the demo audit pinned to cat, with its answers and
// section evaluations.
func Build(cat *checklist.Catalogue) Demo {
	a := Audit(cat)
	return Demo{Audit: a, Answers: Answers(&a, cat), Evaluations: evaluations(cat)}
}

// Is reports whether a stored audit is the demo one.
func Is(sum checklist.AuditSummary) bool { return sum.ISTAT == ISTAT && sum.Year == Year }

// Audit is the demo audit before it is stored.
func Audit(cat *checklist.Catalogue) checklist.Audit {
	return checklist.Audit{
		Ente: checklist.Ente{
			Name:                  "Comune di Valdoria",
			ISTAT:                 ISTAT,
			Province:              "Perugia",
			Prefettura:            "Prefettura - UTG di Perugia",
			Population:            8420,
			Sindaco:               "Maria Bianchi",
			ResponsabileSicurezza: "Dott. Luca Verdi (delegato del Sindaco)",
			ReferenteCIE:          "Anna Russo, ufficiale d'anagrafe",
		},
		Year:             Year,
		Auditors:         []string{"Giulia Esposito", "Marco Ferrari"},
		CatalogueID:      cat.ID,
		CatalogueVersion: cat.Version,
		StartDate:        "2026-11-16",
		Sedi: []checklist.Sede{
			{Name: "Municipio", Address: "Piazza della Libertà 1, 06099 Valdoria (PG)", Rooms: []string{"Ufficio anagrafe", "Archivio"}},
			{Name: "Delegazione Frazione Colle", Address: "Via dei Mulini 14, 06099 Valdoria (PG)", Rooms: []string{"Sportello"}},
		},
		Postazioni: []checklist.Postazione{
			{Code: "PG0991A01", Sede: "Municipio", Room: "Ufficio anagrafe", Office: checklist.OfficeFront,
				Hardware: checklist.Inventory{PC: "Dell OptiPlex 7010, s/n 7XK2Q3", LettoreImpronte: "Crossmatch Patrol, s/n CM4471", LettoreSmartCard: "Bit4id miniLector, s/n B4-99812", Multifunzione: "Epson WF-C5790, s/n X3B2004411", LettoreBarcode: "Honeywell 1450g, s/n 19114B"},
				OS:       "Windows 11 Pro 23H2", Notes: "Postazione principale di sportello."},
			{Code: "PG0991A02", Sede: "Municipio", Room: "Ufficio anagrafe", Office: checklist.OfficeBack,
				Hardware: checklist.Inventory{PC: "Dell OptiPlex 7010, s/n 7XK2Q9", LettoreImpronte: "Crossmatch Patrol, s/n CM4490", LettoreSmartCard: "Bit4id miniLector, s/n B4-99817", Multifunzione: "condivisa con A01", LettoreBarcode: "Honeywell 1450g, s/n 19120B"},
				OS:       "Windows 11 Pro 23H2"},
			{Code: "PG0991B01", Sede: "Delegazione Frazione Colle", Room: "Sportello", Office: checklist.OfficeFront,
				Hardware: checklist.Inventory{PC: "HP ProDesk 400 G7, s/n CZC1182", LettoreImpronte: "Crossmatch Patrol, s/n CM5102", LettoreSmartCard: "Bit4id miniLector, s/n B4-10033", Multifunzione: "Kyocera M2540dn, s/n VCF8123", LettoreBarcode: "Datalogic QW2120, s/n Q21-7781", Altro: "UPS APC Back-UPS 700"},
				OS:       "Windows 10 Pro 22H2", Notes: "Aperta il martedì e il giovedì mattina."},
		},
	}
}

// finding is what the demo auditors found on a well-known item; an empty
// scope means every scope where the item is answered.
type finding struct {
	scope string
	value checklist.Outcome
	note  string
}

var findings = map[string]finding{
	"ORG-01": {"", checklist.OutcomeYes, "Piano adottato con delibera di Giunta n. 112 del 2019; aggiornato nel 2024."},
	"ORG-09": {"", checklist.OutcomePartial, "Ultima scheda trimestrale inviata a giugno; quella di settembre non risulta inviata."},
	"ORG-13": {"", checklist.OutcomePartial, "Due operatori su quattro hanno seguito solo il corso in videoconferenza del 2017."},
	"FIS-02": {"sede:Municipio", checklist.OutcomeNo, "Chiavi dell'ufficio anagrafe in un armadietto non chiuso; nessun registro delle consegne."},
	"FIS-04": {"postazione:PG0991A01", checklist.OutcomeNo, "Lo schermo è visibile dalla fila d'attesa: serve un filtro privacy o un diverso orientamento."},
	"TEC-04": {"", checklist.OutcomePartial, "Blocco dello schermo impostato a 30 minuti: troppo lungo per lo sportello."},
	"TEC-07": {"postazione:PG0991B01", checklist.OutcomeNo, "Le foto portate su chiavetta USB vengono aperte senza scansione antivirus."},
}

const legacyNote = "Materiale e software del vecchio circuito CIE 2.0 restituiti alla Prefettura nel 2018 (verbale agli atti): la misura non riguarda più l'ente."

// Answers returns the demo answers: the findings above, the legacy items as
// justified N/A, and about half of the other items of every scope, chosen
// and valued deterministically so that every run gives the same demo.
func Answers(a *checklist.Audit, cat *checklist.Catalogue) []checklist.Answer {
	var out []checklist.Answer
	for _, sc := range a.Scopes() {
		for _, it := range cat.ItemsFor(sc.Kind) {
			ans := checklist.Answer{Scope: sc, Item: it.ID, Author: Author}
			h := hash(sc.String() + "/" + it.ID)
			f, found := findings[it.ID]
			switch {
			case found && (f.scope == "" || f.scope == sc.String()):
				ans.Value, ans.Note = string(f.value), f.note
			case isLegacy(it) && it.Answer.Kind == checklist.KindOutcome:
				ans.Value, ans.Note = string(checklist.OutcomeNotApplicable), legacyNote
			case h%100 >= 50:
				continue // left for the auditor to verify
			default:
				ans.Value, ans.Note = demoValue(it, h)
			}
			out = append(out, ans)
		}
	}
	return out
}

func isLegacy(it *checklist.Item) bool {
	for _, o := range it.Origin {
		if o != checklist.OriginLegacy {
			return false
		}
	}
	return len(it.Origin) > 0
}

func demoValue(it *checklist.Item, h uint32) (value, note string) {
	switch it.Answer.Kind {
	case checklist.KindNumber:
		return fmt.Sprint(2 + h%4), ""
	case checklist.KindDate:
		return "2026-06-30", ""
	case checklist.KindText:
		return "Windows 11 Pro 23H2", ""
	case checklist.KindChoice:
		return it.Answer.Choices[int(h/7)%len(it.Answer.Choices)].ID, ""
	}
	switch r := (h / 100) % 20; {
	case r < 14:
		return string(checklist.OutcomeYes), ""
	case r < 17:
		return string(checklist.OutcomePartial), "Attuata in parte: prevista un'azione migliorativa."
	default:
		return string(checklist.OutcomeNo), "Non attuata al momento del sopralluogo."
	}
}

func evaluations(cat *checklist.Catalogue) []checklist.Evaluation {
	var out []checklist.Evaluation
	texts := []checklist.Evaluation{
		{Scope: checklist.EnteScope, Section: "ORG", Text: "L'impianto organizzativo è presente ma non aggiornato: le schede trimestrali non sono inviate con regolarità e la formazione degli operatori va completata."},
		{Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}, Section: "FIS", Text: "I locali del Municipio sono adeguati; la gestione delle chiavi e la visibilità degli schermi richiedono interventi."},
	}
	for _, e := range texts {
		if cat.Section(e.Section) != nil {
			e.Author = Author
			out = append(out, e)
		}
	}
	return out
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

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

// The findings agree with the demo's cycle (cycle.go): a beta edition
// adopted on 10/03/2026, sent by PEC on 20/03 and found conforming on
// 14/04; three operators with an SCO, the third (Sara Gallo) without a
// delegation act and not trained; security events in May and September,
// so the Sindaco's simplified declaration does not apply to 2026.
var findings = map[string]finding{
	"ORG-01": {"", checklist.OutcomeYes, "Piano adottato nel 2019 e riadottato in versione beta con delibera di Giunta n. 38 del 10/03/2026."},
	"ORG-02": {"", checklist.OutcomeYes, "La versione beta del marzo 2026 descrive sedi, postazioni e responsabili reali, salvo quanto rilevato in ORG-08."},
	"ORG-07": {"", checklist.OutcomeYes, "Versione beta trasmessa via PEC il 20/03/2026 (ricevuta di consegna agli atti)."},
	"ORG-08": {"", checklist.OutcomeNo, "Il piano del marzo 2026 non nomina l'operatrice Sara Gallo, titolare di SCO dal settembre 2025, e non è stato aggiornato dopo lo smarrimento della SCO del 22/09/2026."},
	"ORG-09": {"", checklist.OutcomePartial, "Schede inviate fino al secondo trimestre (30/06/2026); quella del terzo trimestre, con l'evento di settembre, non risulta inviata."},
	"ORG-10": {"", checklist.OutcomeNotApplicable, "Nel 2026 ci sono stati eventi di sicurezza (maggio e settembre): la dichiarazione semplificata del Sindaco non si applica, servono le schede (ORG-09)."},
	"ORG-11": {"", checklist.OutcomeYes, "Registro degli eventi tenuto: due eventi nel 2026 (guasto del 06/05, SCO non trovata il 22/09)."},
	"ORG-12": {"", checklist.OutcomeYes, "Procedura applicata il 22/09/2026: assistenza, Prefettura e Forze di polizia avvisate entro il giorno dopo."},
	"ORG-13": {"", checklist.OutcomePartial, "Anna Russo e Paolo Conti hanno gli attestati dei corsi ministeriali; Sara Gallo, delegata dal settembre 2025, non ha ancora seguito la formazione."},
	"ORG-14": {"", checklist.OutcomeYes, "Elenco degli operatori allineato ai tre verbali di consegna delle SCO."},
	"ORG-21": {"", checklist.OutcomeYes, "Durante il guasto del 06/05/2026 i cittadini sono stati indirizzati al Municipio; la procedura non prevede più la carta cartacea."},
	"ORG-26": {"", checklist.OutcomeNo, "Sara Gallo usa la SCO 0991-0003 senza atto di delega dell'ufficiale d'anagrafe."},
	"ORG-27": {"", checklist.OutcomeYes, "Esito della Prefettura: piano conforme, comunicato il 14/04/2026, 25 giorni dopo l'invio."},
	"PRO-16": {"", checklist.OutcomeYes, "Nessuna carta d'identità cartacea rilasciata dopo il 3/8/2026 (registro dei documenti rilasciati)."},
	"PRO-17": {"", checklist.OutcomeNo, "Moduli cartacei residui restituiti alla Prefettura il 28/07/2026, verbale n. 12/2026: in ufficio non ne restano."},
	"FIS-02": {"sede:Municipio", checklist.OutcomeNo, "Chiavi dell'ufficio anagrafe in un armadietto non chiuso; nessun registro delle consegne."},
	"FIS-04": {"postazione:PG0991A01", checklist.OutcomeNo, "Lo schermo è visibile dalla fila d'attesa: serve un filtro privacy o un diverso orientamento."},
	"TEC-04": {"", checklist.OutcomePartial, "Blocco dello schermo impostato a 30 minuti: troppo lungo per lo sportello."},
	"TEC-07": {"postazione:PG0991B01", checklist.OutcomeNo, "Le foto portate su chiavetta USB vengono aperte senza scansione antivirus."},
}

// facts are the demo's answers to informative items (numbers, dates),
// agreeing with the cycle: three SCO holders, the beta edition adopted on
// 10/03/2026, the last scheda sent for the second quarter.
var facts = map[string]string{"ORG-24": "3", "ORG-22": "2026-03-10", "ORG-23": "2026-06-30"}

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
			case facts[it.ID] != "":
				ans.Value = facts[it.ID]
			case isLegacy(it) && it.Answer.Kind == checklist.KindOutcome:
				ans.Value, ans.Note = string(checklist.OutcomeNotApplicable), legacyNote
			case it.Answer.Kind == checklist.KindText && sc.Kind == checklist.ScopePostazione && a.Postazione(sc.Name) != nil:
				// The operating system read at the postazione is the one
				// in its inventory.
				ans.Value = a.Postazione(sc.Name).OS
			case h%100 >= 50:
				continue // left for the auditor to verify
			default:
				ans.Value, ans.Note = demoValue(it, h)
				if it.IsDuty() && it.Answer.Kind == checklist.KindOutcome && ans.Value == string(checklist.OutcomeNo) {
					// The demo's missing duties are the findings above.
					ans.Value, ans.Note = string(checklist.OutcomePartial), "Attuata in parte: prevista un'azione migliorativa."
				}
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
		{Scope: checklist.EnteScope, Section: "ORG", Text: "Il piano beta del marzo 2026 è stato trasmesso e giudicato conforme dalla Prefettura, ma non è stato aggiornato dopo le variazioni successive; la scheda del terzo trimestre non è stata inviata, un'operatrice usa la SCO senza atto di delega e non è formata."},
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

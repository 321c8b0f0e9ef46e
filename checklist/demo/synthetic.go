package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/cieaudit/cieaudit/checklist"
)

// SyntheticAudit is one generated audit with what it holds: answers in the
// order they are given (an item may appear twice, the second answer
// replacing the first, so that the history has changes), section
// evaluations and remediation plans.
type SyntheticAudit struct {
	Audit       checklist.Audit
	Answers     []checklist.Answer
	Evaluations []checklist.Evaluation
	Actions     []checklist.ActionPlan
}

// SyntheticAuthor is the author of the synthetic audits' answers.
const SyntheticAuthor = "generatore"

var (
	placeStarts = []string{"Monte", "Villa", "Castel", "Borgo", "San", "Torre", "Poggio", "Rocca", "Pieve", "Colle", "Santa", "Valle"}
	placeEnds   = []string{"rosa", "franco", "vecchio", "alto", "d'Arno", "Lucia", "nuovo", "fiorito", "marina", "verde", "bruna", "sereno", "piano", "forte"}
	provinces   = []string{"PG", "TR", "FI", "SI", "AR", "AN", "MC", "RM", "VT", "BO", "MO", "TO", "MI", "NA", "BA", "PA"}
	people      = []string{"Giulia Esposito", "Marco Ferrari", "Anna Russo", "Luca Verdi", "Sara Conti", "Paolo Greco", "Elena Marino", "Davide Gallo"}
	pcs         = []string{"Dell OptiPlex 7010", "HP ProDesk 400 G7", "Lenovo ThinkCentre M70q", "Fujitsu Esprimo D7010"}
	systems     = []string{"Windows 11 Pro 23H2", "Windows 10 Pro 22H2", "Windows 11 Pro 24H2"}
	notes       = []string{
		"Verificato in loco con il referente CIE.",
		"Documentazione esibita dall'ufficiale d'anagrafe.",
		"Controllo a campione su tre pratiche dell'ultimo mese.",
		"Attuata in parte: prevista un'azione migliorativa entro l'anno.",
		"Non attuata al momento del sopralluogo; segnalato al Sindaco.",
		"Configurazione verificata sulla postazione, schermata acquisita.",
	}
)

// Synthetic returns audit number n of a generated database: an ente with one
// to three sedi and one to eight postazioni, every item of the catalogue
// answered at every scope (most si, some parziale, no and justified na), a
// note on about one answer in three, about one answer in ten changed once
// after it was first given, an evaluation for every section at the ente, and
// a remediation plan for some of the non-conformities. The same n always
// gives the same audit; the ISTAT codes never collide with the demo's.
func Synthetic(cat *checklist.Catalogue, n int) SyntheticAudit {
	r := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	name := pick(placeStarts) + pick(placeEnds)
	prov := pick(provinces)
	a := checklist.Audit{
		Ente: checklist.Ente{
			Name:                  fmt.Sprintf("Comune di %s (%d)", name, n+1),
			ISTAT:                 strconv.Itoa(100000 + n%900000),
			Province:              prov,
			Prefettura:            "Prefettura - UTG di " + prov,
			Population:            500 + r.IntN(60000),
			Sindaco:               pick(people),
			ResponsabileSicurezza: pick(people),
			ReferenteCIE:          pick(people),
		},
		Year:             2024 + n%3,
		Auditors:         []string{pick(people)},
		CatalogueID:      cat.ID,
		CatalogueVersion: cat.Version,
		StartDate:        fmt.Sprintf("%d-%02d-%02d", 2024+n%3, 1+r.IntN(12), 1+r.IntN(28)),
	}
	sedi := 1 + r.IntN(3)
	for i := range sedi {
		s := checklist.Sede{Name: "Municipio", Address: fmt.Sprintf("Piazza del Popolo %d, %s", 1+r.IntN(40), name), Rooms: []string{"Ufficio anagrafe"}}
		if i > 0 {
			s = checklist.Sede{Name: fmt.Sprintf("Delegazione %d", i), Address: fmt.Sprintf("Via Roma %d, frazione %d", 1+r.IntN(200), i), Rooms: []string{"Sportello"}}
		}
		a.Sedi = append(a.Sedi, s)
	}
	for i := range 1 + r.IntN(8) {
		s := a.Sedi[i%sedi]
		office := checklist.OfficeFront
		if i%3 == 2 {
			office = checklist.OfficeBack
		}
		a.Postazioni = append(a.Postazioni, checklist.Postazione{
			Code: fmt.Sprintf("%s%04d%c%02d", prov, n%10000, 'A'+rune(i%sedi), 1+i), Sede: s.Name, Room: s.Rooms[0], Office: office,
			Hardware: checklist.Inventory{
				PC:               fmt.Sprintf("%s, s/n %06X", pick(pcs), r.IntN(1<<24)),
				LettoreImpronte:  fmt.Sprintf("Crossmatch Patrol, s/n CM%04d", r.IntN(10000)),
				LettoreSmartCard: fmt.Sprintf("Bit4id miniLector, s/n B4-%05d", r.IntN(100000)),
				Multifunzione:    "Epson WF-C5790",
				LettoreBarcode:   "Honeywell 1450g",
			},
			OS: pick(systems),
		})
	}
	out := SyntheticAudit{Audit: a}
	auditor := a.Auditors[0]
	var findings []string
	for _, sc := range a.Scopes() {
		for _, it := range cat.ItemsFor(sc.Kind) {
			value, note := syntheticValue(it, r)
			if note == "" && r.IntN(3) == 0 {
				note = pick(notes)
			}
			if r.IntN(10) == 0 {
				// First answered otherwise, then corrected.
				first, firstNote := syntheticValue(it, r)
				out.Answers = append(out.Answers, checklist.Answer{Scope: sc, Item: it.ID, Value: first, Note: firstNote, Author: auditor})
			}
			out.Answers = append(out.Answers, checklist.Answer{Scope: sc, Item: it.ID, Value: value, Note: note, Author: auditor})
			if sc.Kind == checklist.ScopeEnte && value == string(checklist.OutcomeNo) {
				findings = append(findings, it.ID)
			}
		}
	}
	for _, s := range cat.Sections {
		out.Evaluations = append(out.Evaluations, checklist.Evaluation{Scope: checklist.EnteScope, Section: s.ID, Author: auditor,
			Text: fmt.Sprintf("Sezione %s: misure in gran parte attuate; le non conformità rilevate sono riportate nel piano delle azioni.", s.Title)})
	}
	statuses := []checklist.ActionStatus{checklist.ActionToStart, checklist.ActionInProgress, checklist.ActionDone}
	for i, item := range findings {
		if i%2 == 0 {
			out.Actions = append(out.Actions, checklist.ActionPlan{Item: item, Owner: pick(people),
				Due: fmt.Sprintf("%d-%02d-28", 2025+n%3, 1+r.IntN(12)), Status: statuses[r.IntN(len(statuses))]})
		}
	}
	return out
}

// syntheticValue draws an answer for it: for esito items mostly si, then
// parziale, no, and na with its justification.
func syntheticValue(it *checklist.Item, r *rand.Rand) (value, note string) {
	switch it.Answer.Kind {
	case checklist.KindNumber:
		return strconv.Itoa(1 + r.IntN(6)), ""
	case checklist.KindDate:
		return fmt.Sprintf("2025-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)), ""
	case checklist.KindText:
		return systems[r.IntN(len(systems))], ""
	case checklist.KindChoice:
		return it.Answer.Choices[r.IntN(len(it.Answer.Choices))].ID, ""
	}
	switch p := r.IntN(100); {
	case p < 70:
		return string(checklist.OutcomeYes), ""
	case p < 84:
		return string(checklist.OutcomePartial), notes[3]
	case p < 95:
		return string(checklist.OutcomeNo), notes[4]
	default:
		return string(checklist.OutcomeNotApplicable), "La misura non riguarda questa sede: servizio non presente."
	}
}

package demo

import "github.com/cieaudit/cieaudit/checklist"

// Cycle is the demo's yearly cycle as domain values, in the order it is
// recorded after the audit: the operators, the plan (its transmission fixes
// the baseline, so the operators and answers are part of it), then the
// year's security events and the closing of the first.
type Cycle = checklist.CycleRecords

func s(v string) *string { return &v }

// BuildCycle returns the demo's cycle for the catalogue cat: a beta edition
// sent by PEC in March and found conforming, three operators with SCOs (the
// second delegate has no delegation act: flagged), and two events in the
// year, one closed. Nothing happens in the last quarter, so the Sindaco's
// declaration for it can be produced.
func BuildCycle(cat *checklist.Catalogue) Cycle {
	threat := func(id string) string {
		if cat.Threat(id) != nil {
			return id
		}
		return ""
	}
	return Cycle{
		Operators: []checklist.Operator{
			{Name: "Anna Russo", Role: checklist.RoleRegistrar, Act: "nomina a ufficiale d'anagrafe, decreto sindacale n. 2 del 08/01/2018",
				SCO: "SCO 0991-0001", SCODelivered: "2024-03-05", Verbale: "verbale di consegna n. 4/2024", TrainedOn: "2024-02-20",
				Postazioni: []string{"PG0991A01", "PG0991A02"}},
			{Name: "Paolo Conti", Role: checklist.RoleDelegate, Act: "delega dell'ufficiale d'anagrafe, decreto sindacale n. 7 del 12/01/2025",
				SCO: "SCO 0991-0002", SCODelivered: "2025-01-20", Verbale: "verbale di consegna n. 1/2025", TrainedOn: "2025-01-15",
				Postazioni: []string{"PG0991A01", "PG0991B01"}},
			{Name: "Sara Gallo", Role: checklist.RoleDelegate,
				SCO: "SCO 0991-0003", SCODelivered: "2025-09-15", Verbale: "verbale di consegna n. 6/2025",
				Postazioni: []string{"PG0991B01"}},
		},
		Plan: []checklist.PlanChange{
			{Edition: s("beta"), AdoptedAct: s("delibera di Giunta n. 38"), AdoptedOn: s("2026-03-10"),
				Protocol: s("2026/0004127"), ProtocolOn: s("2026-03-18")},
			{SentOn: s("2026-03-20"), Channel: s("pec"), Receipt: s("ricevuta di consegna PEC del 20/03/2026, ore 10:42")},
			{Outcome: s("conforme"), OutcomeOn: s("2026-04-14")},
		},
		Events: []checklist.SecurityEvent{
			{At: "2026-05-06T09:15", Scope: checklist.Scope{Kind: checklist.ScopePostazione, Name: "PG0991B01"}, Threat: threat("T11"),
				Description: "Guasto del lettore di impronte: sportello della delegazione chiuso per due giorni.",
				Areas:       []checklist.ImpactArea{checklist.AreaAvailability},
				Actions:     "Richiesta di assistenza al Ministero; cittadini indirizzati al Municipio.",
				Notified:    []checklist.Notice{{To: checklist.NotifyHelpDesk, At: "2026-05-06T09:40"}}},
			{At: "2026-09-22T16:30", Scope: checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}, Threat: threat("T03"),
				Description: "SCO di un operatore non trovata a fine giornata nell'ufficio anagrafe.",
				Areas:       []checklist.ImpactArea{checklist.AreaConfidentiality, checklist.AreaIntegrity},
				Actions:     "SCO bloccata tramite il help desk; richiesta di una nuova SCO; verifica dei log della giornata in corso.",
				Notified: []checklist.Notice{{To: checklist.NotifyHelpDesk, At: "2026-09-22T17:05"}, {To: checklist.NotifyPrefettura, At: "2026-09-23T09:30"},
					{To: checklist.NotifyPolice, At: "2026-09-23T11:00"}}},
		},
		Closes: []checklist.EventClose{{ID: "ev-1", On: "2026-05-08", Note: "Lettore sostituito dal fornitore; sportello riaperto."}},
	}
}

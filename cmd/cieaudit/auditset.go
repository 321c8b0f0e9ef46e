package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

// enteFlags are audit set's flags for the ente's data (the TUI ente form's
// fields), with the field each sets.
var enteFlags = []struct {
	name, usage string
	field       func(*checklist.Ente) *string
}{
	{"ente", "nome dell'ente, es. \"Comune di Valdoria\"", func(e *checklist.Ente) *string { return &e.Name }},
	{"istat", "codice ISTAT del comune, 6 cifre", func(e *checklist.Ente) *string { return &e.ISTAT }},
	{"province", "provincia", func(e *checklist.Ente) *string { return &e.Province }},
	{"prefettura", "Prefettura competente", func(e *checklist.Ente) *string { return &e.Prefettura }},
	{"sindaco", "sindaco", func(e *checklist.Ente) *string { return &e.Sindaco }},
	{"responsabile-sicurezza", "responsabile della sicurezza", func(e *checklist.Ente) *string { return &e.ResponsabileSicurezza }},
	{"referente-cie", "referente CIE", func(e *checklist.Ente) *string { return &e.ReferenteCIE }},
}

// newAuditSetCmd changes the ente's data and its stemma in one transaction
// (storage.EditAudit): the same fields as the TUI's ente form.
func newAuditSetCmd(a *app) *cobra.Command {
	texts := map[string]*string{}
	var population, logo string
	var noLogo bool
	cmd := &cobra.Command{
		Use:   "set AUDIT [--ente NOME] [--istat CODICE] [… ] [--logo FILE|- | --no-logo]",
		Short: "Modifica i dati dell'ente e lo stemma del frontespizio (i campi non indicati restano come sono)",
		Long: fmt.Sprintf(`Modifica i dati dell'ente dell'audit (gli stessi del modulo «dati ente» della TUI) e
lo stemma del comune stampato sul frontespizio di PDF, HTML e ODT. I campi non indicati
restano come sono; tutto è salvato insieme, oppure niente.

Lo stemma (--logo FILE, - per lo standard input) è un'immagine PNG o JPEG riconosciuta
dal contenuto, non dall'estensione, di al massimo %d KiB e %d×%d pixel; entra nel
fascicolo come stemma.png o stemma.jpg. --no-logo (o --logo "") lo toglie.
Via SSH: ssh … audit set AUDIT --logo - < stemma.png`, checklist.MaxLogoBytes>>10, checklist.MaxLogoSide, checklist.MaxLogoSide),
		Example: `  cieaudit audit set 1a2b3c4d --logo stemma.png
  cieaudit audit set 1a2b3c4d --sindaco "Anna Rossi" --prefettura "Perugia"
  cieaudit audit set 1a2b3c4d --no-logo`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			var edit checklist.LogoChange
			switch {
			case noLogo && f.Changed("logo"):
				return usagef("--logo e --no-logo insieme: indicarne uno solo")
			case noLogo || f.Changed("logo") && logo == "":
				edit.Set = true
			case f.Changed("logo"):
				data, err := a.readUserFile("lo stemma", logo, checklist.MaxLogoBytes)
				if err != nil {
					return err
				}
				// The rule storage applies, checked before the database is opened.
				if _, err := checklist.CheckLogo(logo, data); err != nil {
					return err
				}
				edit = checklist.LogoChange{Set: true, Name: logo, Data: data}
			}
			var changes []func(*checklist.Ente)
			for _, d := range enteFlags {
				if f.Changed(d.name) {
					v, field := strings.TrimSpace(*texts[d.name]), d.field
					changes = append(changes, func(e *checklist.Ente) { *field(e) = v })
				}
			}
			if f.Changed("istat") {
				if _, err := checklist.CheckISTAT(*texts["istat"]); err != nil {
					return usageError{err}
				}
			}
			if f.Changed("population") {
				n := 0
				if strings.TrimSpace(population) != "" {
					var err error
					if n, err = checklist.ParseCount("la popolazione", population); err != nil {
						return usageError{err}
					}
				}
				changes = append(changes, func(e *checklist.Ente) { e.Population = n })
			}
			if len(changes) == 0 && !edit.Set {
				return usagef("indicare almeno un dato da modificare (vedere %s --help)", cmd.CommandPath())
			}
			var fn func(*checklist.Audit) error
			if len(changes) > 0 {
				fn = func(au *checklist.Audit) error {
					for _, c := range changes {
						c(&au.Ente)
					}
					return nil
				}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			au, err := s.EditAudit(args[0], a.author(), fn, edit)
			if err != nil {
				return auditErr(args[0], err)
			}
			var done []string
			if len(changes) > 0 {
				done = append(done, "dati dell'ente")
			}
			switch {
			case edit.Set && au.Logo != nil:
				done = append(done, "stemma ("+checklist.EvidenceTypeLabel(au.Logo.Type)+fmt.Sprintf(" %d×%d, %s)", au.Logo.Width, au.Logo.Height, checklist.FormatBytes(au.Logo.Size)))
			case edit.Set:
				done = append(done, "stemma rimosso")
			}
			fmt.Fprintf(a.stdout, "Salvato: %s.\n", strings.Join(done, "; "))
			return nil
		},
	}
	f := cmd.Flags()
	for _, d := range enteFlags {
		texts[d.name] = f.String(d.name, "", d.usage)
	}
	f.StringVar(&population, "population", "", "popolazione (abitanti)")
	f.StringVar(&logo, "logo", "", fmt.Sprintf("stemma: file PNG o JPEG (- per lo standard input), al massimo %d KiB; \"\" lo toglie", checklist.MaxLogoBytes>>10))
	f.BoolVar(&noLogo, "no-logo", false, "toglie lo stemma")
	return cmd
}

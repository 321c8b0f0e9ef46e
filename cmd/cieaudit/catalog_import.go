package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/checklist/cisoassistant"
)

const formatCISOAssistant = "ciso-assistant"

func newCatalogImportCmd(a *app) *cobra.Command {
	var (
		format, out, scope, category, origin, level string
		groups                                      []string
		opts                                        cisoassistant.Options
		force                                       bool
	)
	cmd := &cobra.Command{
		Use:   "import --format ciso-assistant FILE",
		Short: "Converte un framework di CISO Assistant in un catalogo cieaudit",
		Long: `Legge una libreria di framework di CISO Assistant (formato YAML delle sue librerie,
es. le "Misure minime di sicurezza ICT per le PA" di AGID) e scrive un catalogo
cieaudit senza modello di rischio: una sezione per ogni nodo di primo livello, una
misura per ogni requisito valutabile (assessable), con il ref_id come ID e come
riferimento, la description come domanda, annotation e typical_evidence come guida
e il gruppo di attuazione come livello (M minimo, S standard, A alto).

CISO Assistant non dice dove si verifica un requisito né di che tipo è: --scope
(predefinito ente) e --category (predefinita tecnica) valgono per tutte le misure;
l'origine è norma (la norma è citata nel riferimento di ogni misura). Il catalogo è
validato prima di essere scritto; si usa poi con "cieaudit audit new --catalog FILE".
Cosa si perde nella conversione è descritto in docs/catalogue.md.`,
		Example: `  cieaudit catalog import --format ciso-assistant Controlli-minimi-AGID.yaml --out agid.yaml
  cieaudit audit new --ente "Comune di Valdoria" --istat 099001 --year 2026 --auditor Rossi --catalog agid.yaml`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.remote {
				return usagef("catalog import legge e scrive file: va eseguito sulla macchina che li ha, non attraverso il server SSH")
			}
			if format != formatCISOAssistant {
				return usagef("--format %q non valido: l'unico formato importabile è ciso-assistant", format)
			}
			var err error
			if opts.Scope, err = parseEnum("--scope", scope, checklist.ScopeKinds); err != nil {
				return err
			}
			if opts.Category, err = parseEnum("--category", category, checklist.Categories); err != nil {
				return err
			}
			if opts.Origin, err = parseEnum("--origin", origin, checklist.Origins); err != nil {
				return err
			}
			if opts.DefaultLevel, err = parseEnum("--level", level, checklist.Levels); err != nil {
				return err
			}
			opts.Levels = map[string]checklist.Level{}
			for _, g := range groups {
				name, lvl, ok := strings.Cut(g, "=")
				l, err := parseEnum("--groups", lvl, checklist.Levels)
				if !ok || strings.TrimSpace(name) == "" || err != nil || l == "" {
					return usagef("--groups %q non valido: scrivere GRUPPO=minimo, GRUPPO=standard o GRUPPO=alto", g)
				}
				opts.Levels[strings.TrimSpace(name)] = l
			}
			return a.importCatalogue(args[0], out, force, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "formato del file: ciso-assistant (obbligatorio)")
	f.StringVarP(&out, "out", "o", "", "file del catalogo da scrivere (predefinito: lo standard output)")
	f.BoolVar(&force, "force", false, "sostituisce il file --out se esiste")
	f.StringVar(&opts.ID, "id", "", "ID del catalogo (predefinito: il ref_id del framework)")
	f.StringVar(&opts.Version, "version", "", "versione del catalogo (predefinita: la version della libreria)")
	f.StringVar(&opts.Reference, "reference", "", "testo prima del ref_id nel riferimento di ogni misura (predefinito: il nome del framework), es. \"Circolare AgID n. 2/2017\"")
	f.StringVar(&scope, "scope", "", "dove si risponde a ogni misura: ente, sede o postazione (predefinito: ente)")
	f.StringVar(&category, "category", "", "categoria di ogni misura: fisica, tecnica o organizzativa (predefinita: tecnica)")
	f.StringVar(&origin, "origin", "", "origine di ogni misura (predefinita: norma); inferito per un framework di buone pratiche")
	f.StringVar(&level, "level", "", "livello delle misure senza gruppo di attuazione (predefinito: minimo)")
	f.StringArrayVar(&groups, "groups", nil, "livello di un gruppo di attuazione, es. IG1=minimo (ripetibile)")
	cmd.MarkFlagRequired("format")
	// Its own values: the generic completion by flag name (completion.go)
	// would offer an audit's scopes and the export formats.
	for flag, values := range map[string][]string{
		"format":   {formatCISOAssistant},
		"scope":    names(checklist.ScopeKinds),
		"category": names(checklist.Categories),
		"origin":   names(checklist.Origins),
		"level":    names(checklist.Levels),
	} {
		_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	return cmd
}

func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// parseEnum checks an optional flag value against the allowed ones.
func parseEnum[T ~string](flag, value string, allowed []T) (T, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", nil
	}
	for _, v := range allowed {
		if strings.EqualFold(value, string(v)) {
			return v, nil
		}
	}
	names := make([]string, len(allowed))
	for i, v := range allowed {
		names[i] = string(v)
	}
	return "", usagef("%s %q non valido: usare %s", flag, value, strings.Join(names, ", "))
}

func (a *app) importCatalogue(path, out string, force bool, opts cisoassistant.Options) error {
	src, err := a.readUserFile("il file da importare", path, cisoassistant.MaxSize)
	if err != nil {
		return err
	}
	res, err := cisoassistant.Convert(src, path, opts)
	if err != nil {
		return err
	}
	// The result is validated as any catalogue a user writes.
	name := out
	if name == "" || name == "-" {
		name = res.ID + ".yaml"
	}
	if _, err := checklist.Parse(res.YAML, name); err != nil {
		var ve *checklist.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				fmt.Fprintln(a.stderr, checklist.CleanText(p.String(), false))
			}
			return fmt.Errorf("%s: la conversione non dà un catalogo valido (%d problemi)", path, len(ve.Problems))
		}
		return err
	}
	if out == "" || out == "-" {
		if _, err := a.stdout.Write(res.YAML); err != nil {
			return err
		}
	} else if err := writeNewFile(out, res.YAML, force); err != nil {
		return err
	}
	var levels []string
	for _, l := range checklist.Levels {
		if n := res.ByLevel[l]; n > 0 {
			levels = append(levels, fmt.Sprintf("%s %d", l, n))
		}
	}
	fmt.Fprintf(a.stderr, "Catalogo %s@%s: %d sezioni, %d misure (%s), senza minacce.\n",
		checklist.CleanText(res.ID, false), checklist.CleanText(res.Version, false), res.Sections, res.Items, strings.Join(levels, ", "))
	for _, s := range res.Skipped {
		fmt.Fprintf(a.stderr, "Omesso: %s\n", checklist.CleanText(s, false))
	}
	if out != "" && out != "-" {
		fmt.Fprintf(a.stderr, "Scritto in %s: usarlo con cieaudit audit new --catalog %s\n", out, out)
	}
	return nil
}

// writeNewFile writes data to path through a synced temporary file renamed
// into place: never half a file; an existing file is replaced only with force.
func writeNewFile(path string, data []byte, force bool) error {
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s esiste e non è un file", path)
		}
		if !force {
			return fmt.Errorf("%s esiste già: scegliere un altro nome o usare --force", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("scrittura di %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("scrittura di %s: %w", path, err)
	}
	return nil
}

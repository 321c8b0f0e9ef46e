package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// The CLI speaks Italian like the rest of the product, so cobra's English
// scaffolding (usage template, help flag and command, completion) is
// replaced with Italian equivalents.

const usageTemplate = `Uso:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [comando]{{end}}{{if gt (len .Aliases) 0}}

Alias:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Esempi:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Comandi:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Opzioni:
{{flagUsages .LocalFlags | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Opzioni globali:
{{flagUsages .InheritedFlags | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

"{{.CommandPath}} [comando] --help" spiega ogni comando.{{end}}
`

// localise installs the Italian help on root and every command below it.
func localise(root *cobra.Command) {
	cobra.AddTemplateFunc("flagUsages", flagUsages)
	root.SetUsageTemplate(usageTemplate)
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [comando]",
		Short: "Spiega un comando",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return usagef("comando sconosciuto %q: \"cieaudit help\" elenca i comandi", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	})
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newCompletionCmd())
	var addHelpFlag func(c *cobra.Command)
	addHelpFlag = func(c *cobra.Command) {
		if c.Flags().Lookup("help") == nil {
			c.Flags().BoolP("help", "h", false, "mostra questo aiuto")
		}
		// cobra would append an English "[flags]" to the usage line.
		c.DisableFlagsInUseLine = true
		c.Use += " [opzioni]"
		for _, sub := range c.Commands() {
			addHelpFlag(sub)
		}
	}
	addHelpFlag(root)
}

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Stampa lo script di completamento dei comandi per la shell indicata",
		Long: `Stampa lo script di completamento per la shell indicata. Completa i comandi, le
opzioni, gli ID degli audit, gli ambiti di un audit (--scope), le misure del suo
catalogo (--item, solo quelle dell'ambito indicato), i valori di una misura
(--value), gli utenti, i cataloghi e ogni opzione a valori fissi (--csv, --format,
--table, --role...). I dati vengono dal database (--db), letto senza modificarlo.

Installazione, una volta per utente (aprire poi una nuova shell):

  bash        richiede il pacchetto bash-completion (apt install bash-completion)
              mkdir -p ~/.local/share/bash-completion/completions
              cieaudit completion bash > ~/.local/share/bash-completion/completions/cieaudit
              (per tutti gli utenti: in /etc/bash_completion.d/cieaudit)
              solo per la shell corrente: source <(cieaudit completion bash)
  zsh         il completamento deve essere attivo (autoload -U compinit; compinit in ~/.zshrc)
              cieaudit completion zsh > "${fpath[1]}/_cieaudit"
  fish        cieaudit completion fish > ~/.config/fish/completions/cieaudit.fish
  powershell  aggiungere al profilo ($PROFILE):
              cieaudit completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return usagef("shell %q non supportata: usare bash, zsh, fish o powershell", args[0])
		},
	}
}

package main

import (
	"errors"
	"fmt"

	"strings"
	"text/tabwriter"
	"time"

	"github.com/mdp/qrterminal/v3"
	"github.com/pquerna/otp/totp"
	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// newUserCmd manages the users of the SSH jump host.
func newUserCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Utenti del server SSH: chiavi, ruoli, reti ammesse, TOTP",
	}
	cmd.AddCommand(newUserAddCmd(a), newUserListCmd(a), newUserRemoveCmd(a), newUserTOTPCmd(a))
	return cmd
}

func newUserAddCmd(a *app) *cobra.Command {
	var role, allowFrom string
	var keys, keyFiles []string
	cmd := &cobra.Command{
		Use:   "add NOME",
		Short: "Aggiunge un utente, o nuove chiavi a un utente esistente",
		Long: `Aggiunge un utente del server SSH con il suo ruolo e le sue chiavi pubbliche.

Se l'utente esiste già, le chiavi indicate si aggiungono alle sue; --role e
--allow-from, se indicati, sostituiscono quelli registrati.

Ruoli: viewer (legge ed esporta), auditor (anche risponde e modifica gli audit),
admin (anche gestisce gli utenti ed elimina).`,
		Example: `  cieaudit user add mario.rossi --role auditor --key "ssh-ed25519 AAAA… mario@portatile"
  cieaudit user add anna.bianchi --role viewer --key-file anna.pub --allow-from 10.0.0.0/8,192.168.1.0/24`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := storage.ValidateUserName(name); err != nil {
				return usageError{err}
			}
			u := storage.User{Name: name}
			if role != "" {
				r, err := checklist.ParseRole(role)
				if err != nil {
					return usageError{fmt.Errorf("--role: %w", err)}
				}
				u.Role = r
			}
			for i, k := range keys {
				key, err := storage.ParseUserKey(k)
				if err != nil {
					return usageError{fmt.Errorf("--key n. %d: %w", i+1, err)}
				}
				u.Keys = append(u.Keys, key)
			}
			for _, path := range keyFiles {
				data, err := a.readUserFile("--key-file", path, maxKeyFileBytes)
				if err != nil {
					return usageError{err}
				}
				fileKeys, err := storage.ParseAuthorizedKeys(data, path)
				if err != nil {
					return usageError{fmt.Errorf("--key-file %w", err)}
				}
				u.Keys = append(u.Keys, fileKeys...)
			}
			if len(u.Keys) == 0 {
				return usagef("indicare almeno una chiave pubblica con --key o --key-file")
			}
			if cmd.Flags().Changed("allow-from") {
				nets, err := storage.ParseCIDRs(allowFrom)
				if err != nil {
					return usageError{fmt.Errorf("--allow-from: %w", err)}
				}
				u.AllowFrom = nonNil(nets)
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			_, getErr := s.User(name)
			exists := getErr == nil
			if !exists && !errors.Is(getErr, storage.ErrNotFound) {
				return getErr
			}
			if !exists && u.Role == "" {
				return usagef("--role è obbligatorio per un nuovo utente: usare admin, auditor o viewer")
			}
			saved, err := s.AddUser(u, true)
			if err != nil {
				return err
			}
			verb := "Utente aggiunto"
			if exists {
				verb = "Utente aggiornato"
			}
			keys := "chiavi"
			if len(saved.Keys) == 1 {
				keys = "chiave"
			}
			fmt.Fprintf(a.stdout, "%s: %s (%s), %d %s\n", verb, saved.Name, saved.Role, len(saved.Keys), keys)
			for _, k := range saved.Keys {
				fmt.Fprintf(a.stdout, "  %s %s\n", k.Fingerprint, k.Comment)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "ruolo: admin, auditor o viewer (obbligatorio per un nuovo utente)")
	f.StringArrayVar(&keys, "key", nil, "chiave pubblica \"ssh-ed25519 AAAA… commento\" (ripetibile)")
	f.StringArrayVar(&keyFiles, "key-file", nil, "file in formato authorized_keys con una o più chiavi (ripetibile)")
	f.StringVar(&allowFrom, "allow-from", "", "reti da cui l'utente può collegarsi, CIDR separati da virgole (predefinito: ovunque)")
	return cmd
}

func newUserListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Elenca gli utenti del server SSH",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			users, err := s.Users()
			if err != nil {
				return err
			}
			if asJSON {
				rows := make([]userJSON, len(users))
				for i, u := range users {
					rows[i] = userJSON{u.Name, u.Role, nonNil(u.Keys), nonNil(u.AllowFrom), u.TOTPSecret != "", u.CreatedAt}
				}
				return writeSchemaJSON(a.stdout, "user-list", struct {
					Users []userJSON `json:"users"`
				}{rows})
			}
			if len(users) == 0 {
				fmt.Fprintln(a.stdout, "Nessun utente: aggiungerne uno con cieaudit user add.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NOME\tRUOLO\tTOTP\tRETI AMMESSE\tCHIAVI")
			for _, u := range users {
				nets := "ovunque"
				if len(u.AllowFrom) > 0 {
					nets = strings.Join(u.AllowFrom, ",")
				}
				totpState := "no"
				if u.TOTPSecret != "" {
					totpState = "sì"
				}
				for i, k := range u.Keys {
					if i == 0 {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\n", u.Name, u.Role, totpState, nets, k.Fingerprint, k.Comment)
					} else {
						fmt.Fprintf(tw, "\t\t\t\t%s %s\n", k.Fingerprint, k.Comment)
					}
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	return cmd
}

// userJSON is a user as printed by user list --json: the TOTP secret is
// never shown, only whether it is enrolled.
type userJSON struct {
	Name      string            `json:"name"`
	Role      checklist.Role    `json:"role"`
	Keys      []storage.UserKey `json:"keys"`
	AllowFrom []string          `json:"allow_from"`
	TOTP      bool              `json:"totp"`
	CreatedAt time.Time         `json:"created_at"`
}

func newUserRemoveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NOME",
		Short: "Rimuove un utente e tutte le sue chiavi",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			if err := s.DeleteUser(args[0]); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					return fmt.Errorf("utente %s inesistente (vedere cieaudit user list)", args[0])
				}
				return err
			}
			fmt.Fprintf(a.stdout, "Utente rimosso: %s\n", args[0])
			return nil
		},
	}
}

func newUserTOTPCmd(a *app) *cobra.Command {
	var disable bool
	cmd := &cobra.Command{
		Use:   "totp NOME",
		Short: "Attiva il secondo fattore TOTP per un utente e ne stampa il QR code",
		Long: `Genera un nuovo segreto TOTP per l'utente e stampa l'URI otpauth:// e il QR code
da inquadrare con l'app di autenticazione. Da quel momento l'accesso SSH dell'utente
chiede anche il codice corrente (tolleranza di 30 secondi; ogni codice vale una volta).
Un segreto già presente viene sostituito; --disable lo rimuove.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			s, err := a.open()
			if err != nil {
				return err
			}
			if _, err := s.User(name); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					return fmt.Errorf("utente %s inesistente (vedere cieaudit user list)", name)
				}
				return err
			}
			if disable {
				if err := s.EnrolTOTP(name, ""); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Secondo fattore TOTP disattivato per %s\n", name)
				return nil
			}
			key, err := totp.Generate(totp.GenerateOpts{Issuer: "cieaudit", AccountName: name})
			if err != nil {
				return fmt.Errorf("generazione del segreto TOTP: %w", err)
			}
			if err := s.EnrolTOTP(name, key.Secret()); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Secondo fattore TOTP attivato per %s.\nInquadrare il QR code con l'app di autenticazione, oppure inserire l'URI:\n\n%s\n\n", name, key.URL())
			qrterminal.GenerateWithConfig(key.URL(), qrterminal.Config{
				Level: qrterminal.L, Writer: a.stdout, HalfBlocks: true,
				BlackChar: qrterminal.BLACK_BLACK, WhiteChar: qrterminal.WHITE_WHITE,
				WhiteBlackChar: qrterminal.WHITE_BLACK, BlackWhiteChar: qrterminal.BLACK_WHITE,
				QuietZone: 2,
			})
			return nil
		},
	}
	cmd.Flags().BoolVar(&disable, "disable", false, "rimuove il secondo fattore")
	return cmd
}

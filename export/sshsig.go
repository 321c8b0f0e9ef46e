package export

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// FileSignature is the detached signature of SHA256SUMS written when the
// export is signed.
const FileSignature = "SHA256SUMS.sig"

// SignatureNamespace is the SSHSIG namespace of a bundle signature: the
// value the verifier passes to `ssh-keygen -Y verify -n`.
const SignatureNamespace = "cieaudit"

// SSHSIG format (OpenSSH PROTOCOL.sshsig): the signature covers
//
//	"SSHSIG" || string(namespace) || string(reserved) || string(hash_alg) || string(H(message))
//
// and the armored blob carries
//
//	"SSHSIG" || uint32(1) || string(publickey) || string(namespace) ||
//	string(reserved) || string(hash_alg) || string(signature)
const (
	sshsigMagic   = "SSHSIG"
	sshsigVersion = 1
	sshsigHash    = "sha512"
	sshsigBegin   = "-----BEGIN SSH SIGNATURE-----"
	sshsigEnd     = "-----END SSH SIGNATURE-----"
	sshsigColumns = 70
)

type sshsigSigned struct {
	Namespace string
	Reserved  string
	Hash      string
	Digest    string
}

type sshsigBlob struct {
	Version   uint32
	PublicKey string
	Namespace string
	Reserved  string
	Hash      string
	Signature string
}

// SignSSH returns message's detached signature in OpenSSH's SSHSIG armored
// format, as `ssh-keygen -Y sign -n namespace` writes it: SHA-512 of the
// message, RSA keys signing with rsa-sha2-512.
func SignSSH(signer ssh.Signer, namespace string, message []byte) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("nessuna chiave per la firma")
	}
	if namespace == "" {
		return nil, errors.New("firma SSH senza namespace")
	}
	digest := sha512.Sum512(message)
	signed := append([]byte(sshsigMagic), ssh.Marshal(sshsigSigned{
		Namespace: namespace,
		Hash:      sshsigHash,
		Digest:    string(digest[:]),
	})...)
	var sig *ssh.Signature
	var err error
	if signer.PublicKey().Type() == ssh.KeyAlgoRSA {
		as, ok := signer.(ssh.AlgorithmSigner)
		if !ok {
			return nil, errors.New("la chiave RSA non permette la firma rsa-sha2-512")
		}
		sig, err = as.SignWithAlgorithm(rand.Reader, signed, ssh.KeyAlgoRSASHA512)
	} else {
		sig, err = signer.Sign(rand.Reader, signed)
	}
	if err != nil {
		return nil, fmt.Errorf("firma non riuscita: %w", err)
	}
	blob := append([]byte(sshsigMagic), ssh.Marshal(sshsigBlob{
		Version:   sshsigVersion,
		PublicKey: string(signer.PublicKey().Marshal()),
		Namespace: namespace,
		Hash:      sshsigHash,
		Signature: string(ssh.Marshal(sig)),
	})...)
	enc := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	b.WriteString(sshsigBegin + "\n")
	for len(enc) > sshsigColumns {
		b.WriteString(enc[:sshsigColumns] + "\n")
		enc = enc[sshsigColumns:]
	}
	b.WriteString(enc + "\n" + sshsigEnd + "\n")
	return []byte(b.String()), nil
}

// VerifySSH checks an armored SSHSIG signature of message in namespace and
// returns the public key that made it. It is the reader of SignSSH (tests
// and tools); the Prefettura verifies with ssh-keygen.
func VerifySSH(armored []byte, namespace string, message []byte) (ssh.PublicKey, error) {
	text := strings.TrimSpace(string(armored))
	if !strings.HasPrefix(text, sshsigBegin) || !strings.HasSuffix(text, sshsigEnd) {
		return nil, errors.New("firma: intestazione SSH SIGNATURE mancante")
	}
	body := strings.Join(strings.Fields(text[len(sshsigBegin):len(text)-len(sshsigEnd)]), "")
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || !strings.HasPrefix(string(raw), sshsigMagic) {
		return nil, errors.New("firma: contenuto non in formato SSHSIG")
	}
	var blob sshsigBlob
	if err := ssh.Unmarshal(raw[len(sshsigMagic):], &blob); err != nil || blob.Version != sshsigVersion {
		return nil, errors.New("firma: contenuto non in formato SSHSIG")
	}
	if blob.Namespace != namespace {
		return nil, fmt.Errorf("firma: namespace %q invece di %q", blob.Namespace, namespace)
	}
	if blob.Hash != "sha512" && blob.Hash != "sha256" {
		return nil, fmt.Errorf("firma: algoritmo di hash %q non ammesso", blob.Hash)
	}
	pub, err := ssh.ParsePublicKey([]byte(blob.PublicKey))
	if err != nil {
		return nil, errors.New("firma: chiave pubblica non leggibile")
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal([]byte(blob.Signature), &sig); err != nil {
		return nil, errors.New("firma: firma non leggibile")
	}
	var digest []byte
	if blob.Hash == "sha512" {
		d := sha512.Sum512(message)
		digest = d[:]
	} else {
		d := sha256.Sum256(message)
		digest = d[:]
	}
	signed := append([]byte(sshsigMagic), ssh.Marshal(sshsigSigned{
		Namespace: namespace,
		Hash:      blob.Hash,
		Digest:    string(digest),
	})...)
	if err := pub.Verify(signed, &sig); err != nil {
		return nil, errors.New("firma non valida per questo SHA256SUMS")
	}
	return pub, nil
}

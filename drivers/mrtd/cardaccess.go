package mrtd

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/tramso/tramso/drivers/mrtd/internal/smcrypto"
	"github.com/tramso/tramso/drivers/tlv"
)

// oidPACE is id-PACE (ICAO 9303-11 §9.2, BSI TR-03110 arc 0.4.0.127.0.7.2.2.4) as DER content bytes.
var oidPACE = []byte{0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04}

// PACE mappings (the arc under id-PACE).
const (
	mappingDHGM    = 1
	mappingECDHGM  = 2
	mappingDHIM    = 3
	mappingECDHIM  = 4
	mappingECDHCAM = 6
)

// SecurityInfo is one entry of a SecurityInfos set (EF.CardAccess, DG14, EF.CardSecurity):
// its protocol OID in dotted form and the DER content bytes of the OID, the version (requiredData
// when it is an INTEGER) and, for PACEInfo, the standardized domain parameter id (-1 when absent).
type SecurityInfo struct {
	Protocol    string
	OID         []byte
	Version     int
	ParameterID int
}

// PACEInfo is a SecurityInfo whose protocol is a PACE protocol.
type PACEInfo = SecurityInfo

// IsPACE reports whether the entry is a PACEInfo (id-PACE.mapping.cipher).
func (s SecurityInfo) IsPACE() bool {
	return len(s.OID) == len(oidPACE)+2 && bytes.HasPrefix(s.OID, oidPACE)
}

// paceSuite returns the mapping and cipher suite of a PACE protocol OID.
func (s SecurityInfo) paceSuite() (mapping int, suite smcrypto.Suite, ok bool) {
	if !s.IsPACE() {
		return 0, suite, false
	}
	mapping = int(s.OID[len(oidPACE)])
	switch s.OID[len(oidPACE)+1] {
	case 1:
		suite = smcrypto.SuiteTDES
	case 2:
		suite = smcrypto.SuiteAES128
	case 3:
		suite = smcrypto.SuiteAES192
	case 4:
		suite = smcrypto.SuiteAES256
	default:
		return 0, suite, false
	}
	return mapping, suite, true
}

// PACEName names a PACE protocol for logs and errors, e.g. "PACE-ECDH-GM-AES-128".
func (s SecurityInfo) PACEName() string {
	m, suite, ok := s.paceSuite()
	if !ok {
		return "PACE (" + s.Protocol + ")"
	}
	names := map[int]string{mappingDHGM: "DH-GM", mappingECDHGM: "ECDH-GM", mappingDHIM: "DH-IM",
		mappingECDHIM: "ECDH-IM", mappingECDHCAM: "ECDH-CAM"}
	n, found := names[m]
	if !found {
		n = "mapping-" + strconv.Itoa(m)
	}
	return "PACE-" + n + "-" + suite.String()
}

// Supported reports whether this package can run the PACE protocol and domain parameters:
// ECDH generic mapping with 3DES or AES on a standardized curve (parameter ids 12–18).
func (s SecurityInfo) Supported() bool {
	m, _, ok := s.paceSuite()
	if !ok || m != mappingECDHGM || s.Version != 2 {
		return false
	}
	return s.ParameterID >= 12 && s.ParameterID <= 18
}

// ParseSecurityInfos parses a SecurityInfos SET (ICAO 9303-11 §9.2), e.g. the whole EF.CardAccess.
// Entries whose requiredData is not an INTEGER (public key infos, domain parameter infos) are kept
// with Version -1. Unknown protocols are kept too; the caller picks what it understands.
func ParseSecurityInfos(b []byte) ([]SecurityInfo, error) {
	tag, set, rest, err := tlv.Next(b)
	if err != nil {
		return nil, fmt.Errorf("%w: SecurityInfos: %w", ErrBadResponse, err)
	}
	if tag != 0x31 {
		return nil, fmt.Errorf("%w: SecurityInfos tag %s, want 31", ErrBadResponse, tag)
	}
	if len(bytes.TrimRight(rest, "\x00")) != 0 {
		return nil, fmt.Errorf("%w: bytes after SecurityInfos", ErrBadResponse)
	}
	objs, err := tlv.Parse(set)
	if err != nil {
		return nil, fmt.Errorf("%w: SecurityInfos: %w", ErrBadResponse, err)
	}
	var out []SecurityInfo
	for _, o := range objs {
		if o.Tag != 0x30 {
			return nil, fmt.Errorf("%w: SecurityInfo tag %s, want 30", ErrBadResponse, o.Tag)
		}
		fields, err := tlv.Parse(o.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: SecurityInfo: %w", ErrBadResponse, err)
		}
		if len(fields) < 2 || fields[0].Tag != 0x06 {
			return nil, fmt.Errorf("%w: SecurityInfo without protocol and data", ErrBadResponse)
		}
		dotted, err := oidString(fields[0].Value)
		if err != nil {
			return nil, err
		}
		si := SecurityInfo{Protocol: dotted, OID: append([]byte(nil), fields[0].Value...), Version: -1, ParameterID: -1}
		if fields[1].Tag == 0x02 {
			if si.Version, err = smallInt(fields[1].Value); err != nil {
				return nil, err
			}
		}
		if len(fields) > 2 && fields[2].Tag == 0x02 {
			if si.ParameterID, err = smallInt(fields[2].Value); err != nil {
				return nil, err
			}
		}
		out = append(out, si)
	}
	return out, nil
}

// ChoosePACE picks the PACEInfo to use from SecurityInfos: the first one this package supports,
// preferring AES over 3DES. ok is false when none is usable.
func ChoosePACE(infos []SecurityInfo) (info PACEInfo, ok bool) {
	best := -1
	for i, si := range infos {
		if !si.Supported() {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		_, a, _ := infos[best].paceSuite()
		_, b, _ := si.paceSuite()
		if a.Cipher == smcrypto.TDES && b.Cipher == smcrypto.AES {
			best = i
		}
	}
	if best < 0 {
		return PACEInfo{}, false
	}
	return infos[best], true
}

func smallInt(v []byte) (int, error) {
	if len(v) == 0 || len(v) > 4 || v[0]&0x80 != 0 {
		return 0, fmt.Errorf("%w: INTEGER out of range", ErrBadResponse)
	}
	n := 0
	for _, c := range v {
		n = n<<8 | int(c)
	}
	return n, nil
}

func oidString(v []byte) (string, error) {
	if len(v) == 0 || len(v) > 64 || v[len(v)-1]&0x80 != 0 {
		return "", fmt.Errorf("%w: malformed OID", ErrBadResponse)
	}
	var arcs []string
	n := new(big.Int)
	first := true
	for _, c := range v {
		n.Lsh(n, 7)
		n.Or(n, big.NewInt(int64(c&0x7F)))
		if c&0x80 != 0 {
			continue
		}
		if first {
			first = false
			switch {
			case n.Cmp(big.NewInt(40)) < 0:
				arcs = append(arcs, "0", n.String())
			case n.Cmp(big.NewInt(80)) < 0:
				arcs = append(arcs, "1", new(big.Int).Sub(n, big.NewInt(40)).String())
			default:
				arcs = append(arcs, "2", new(big.Int).Sub(n, big.NewInt(80)).String())
			}
		} else {
			arcs = append(arcs, n.String())
		}
		n.SetInt64(0)
	}
	return strings.Join(arcs, "."), nil
}

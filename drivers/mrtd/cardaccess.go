package mrtd

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"math/big"
	"strconv"
	"strings"

	"github.com/tramso/tramso/drivers/mrtd/internal/ec"
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

	// DomainParameters is the AlgorithmIdentifier of a PACEDomainParameterInfo (explicit domain
	// parameters for a proprietary ParameterID), raw DER; nil for other entries.
	DomainParameters []byte

	// curve is the standardized parameter id (12–18) a proprietary ParameterID stands for, when
	// EF.CardAccess spells that curve out exactly in a PACEDomainParameterInfo; 0 otherwise.
	curve int
	// refused: the PACEInfo names explicit domain parameters that are not a standard curve.
	refused bool
}

// CurveParameterID returns the standardized domain parameter id (ICAO 9303-11 Table 4) the PACE
// protocol runs on: ParameterID itself, or the standard curve that explicit domain parameters in
// EF.CardAccess spell out exactly; -1 when there is none.
func (s SecurityInfo) CurveParameterID() int {
	if s.curve != 0 {
		return s.curve
	}
	if s.ParameterID >= 0 && s.ParameterID <= 31 {
		return s.ParameterID
	}
	return -1
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
	id := s.CurveParameterID()
	return id >= 12 && id <= 18
}

// ParseSecurityInfos parses a SecurityInfos SET (ICAO 9303-11 §9.2), e.g. the whole EF.CardAccess.
// Entries whose requiredData is not an INTEGER (public key infos, domain parameter infos) are kept
// with Version -1. Unknown protocols are kept too; the caller picks what it understands.
func ParseSecurityInfos(b []byte) ([]SecurityInfo, error) {
	tag, set, rest, err := tlv.Next(b)
	if err != nil {
		return nil, errtext.Wrap(ErrBadResponse, fmt.Errorf("SecurityInfos: %w", err))
	}
	if tag != 0x31 {
		return nil, fmt.Errorf("%w: SecurityInfos tag %s, want 31", ErrBadResponse, tag)
	}
	if len(bytes.TrimRight(rest, "\x00")) != 0 {
		return nil, fmt.Errorf("%w: bytes after SecurityInfos", ErrBadResponse)
	}
	objs, err := tlv.Parse(set)
	if err != nil {
		return nil, errtext.Wrap(ErrBadResponse, fmt.Errorf("SecurityInfos: %w", err))
	}
	var out []SecurityInfo
	for _, o := range objs {
		if o.Tag != 0x30 {
			return nil, fmt.Errorf("%w: SecurityInfo tag %s, want 30", ErrBadResponse, o.Tag)
		}
		fields, err := tlv.Parse(o.Value)
		if err != nil {
			return nil, errtext.Wrap(ErrBadResponse, fmt.Errorf("SecurityInfo: %w", err))
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
		if len(si.OID) == len(oidPACE)+1 && bytes.HasPrefix(si.OID, oidPACE) && fields[1].Tag == 0x30 {
			si.DomainParameters = tlv.Encode(0x30, fields[1].Value) // PACEDomainParameterInfo
		}
		out = append(out, si)
	}
	resolveDomainParameters(out)
	return out, nil
}

// resolveDomainParameters links each PACEInfo with a proprietary ParameterID (32 and up, or absent)
// to the PACEDomainParameterInfo of the same id (or the only one), and accepts its explicit
// parameters only when they are exactly a standardized curve.
func resolveDomainParameters(infos []SecurityInfo) {
	var dps []SecurityInfo
	for _, si := range infos {
		if si.DomainParameters != nil {
			dps = append(dps, si)
		}
	}
	for i := range infos {
		si := &infos[i]
		if !si.IsPACE() || (si.ParameterID >= 0 && si.ParameterID <= 31) || len(dps) == 0 {
			continue
		}
		var dp *SecurityInfo
		for j := range dps {
			if dps[j].ParameterID == si.ParameterID || (len(dps) == 1 && dps[j].ParameterID < 0) {
				dp = &dps[j]
			}
		}
		if dp == nil {
			continue
		}
		if c, ok := standardCurve(dp.DomainParameters); ok {
			si.curve = c.StandardParam
		} else {
			si.refused = true
		}
	}
}

// ecDomainParameters is an AlgorithmIdentifier of id-ecPublicKey with explicit ECParameters
// (BSI TR-03111 / SEC 1).
type ecDomainParameters struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters struct {
		Version int
		Field   struct {
			Type  asn1.ObjectIdentifier
			Prime *big.Int
		}
		Curve struct {
			A, B []byte
			Seed asn1.BitString `asn1:"optional"`
		}
		Base     []byte
		Order    *big.Int
		Cofactor *big.Int `asn1:"optional"`
	}
}

// standardCurve returns the standardized curve explicit EC domain parameters describe, or false
// when they are anything else (another curve, another generator, a cofactor, DH, malformed).
func standardCurve(der []byte) (*ec.Curve, bool) {
	var dp ecDomainParameters
	if rest, err := asn1.Unmarshal(der, &dp); err != nil || len(rest) != 0 {
		return nil, false
	}
	p := dp.Parameters
	if !dp.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}) ||
		!p.Field.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}) || p.Field.Prime == nil || p.Order == nil ||
		(p.Cofactor != nil && p.Cofactor.Cmp(big.NewInt(1)) != 0) {
		return nil, false
	}
	n := (p.Field.Prime.BitLen() + 7) / 8
	if len(p.Base) != 1+2*n || p.Base[0] != 4 || n == 0 {
		return nil, false
	}
	return ec.Standard(p.Field.Prime, new(big.Int).SetBytes(p.Curve.A), new(big.Int).SetBytes(p.Curve.B),
		new(big.Int).SetBytes(p.Base[1:1+n]), new(big.Int).SetBytes(p.Base[1+n:]), p.Order)
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

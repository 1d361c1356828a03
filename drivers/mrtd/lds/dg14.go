package lds

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"

	"github.com/tramso/tramso/drivers/tlv"
)

// Object identifiers of SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110).
var (
	oidPK     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1}
	oidCA     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3}
	oidPACE   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4}
	oidAAInfo = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}

	// OIDCAECDHAES128 is id-CA-ECDH-AES-CBC-CMAC-128, the Chip Authentication protocol the CCCD
	// advertises.
	OIDCAECDHAES128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}
	// OIDPKECDH is id-PK-ECDH, the protocol of an EC Chip Authentication public key.
	OIDPKECDH = oidPKECDH
	// OIDECDSAPlainSHA256 is ecdsa-plain-SHA256 (BSI TR-03111), used in ActiveAuthenticationInfo.
	OIDECDSAPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}
)

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) > len(prefix) && oid[:len(prefix)].Equal(prefix)
}

// SecurityInfo is one element of SecurityInfos kept as raw DER.
type SecurityInfo struct {
	Protocol asn1.ObjectIdentifier
	Raw      []byte
}

// ChipAuthenticationInfo announces a Chip Authentication protocol and version.
type ChipAuthenticationInfo struct {
	Protocol asn1.ObjectIdentifier
	Version  int
	KeyID    int // 0 when absent
}

// ChipAuthenticationPublicKeyInfo holds the chip's static Chip Authentication key.
type ChipAuthenticationPublicKeyInfo struct {
	Protocol asn1.ObjectIdentifier // id-PK-DH or id-PK-ECDH
	// PublicKey is the parsed key (*ecdsa.PublicKey for ECDH keys), nil if this package cannot
	// parse it (e.g. a DH key); RawPublicKey always holds the SubjectPublicKeyInfo.
	PublicKey    crypto.PublicKey
	RawPublicKey []byte
	KeyID        int // 0 when absent
}

// PACEInfo announces a PACE protocol (found in EF.CardAccess).
type PACEInfo struct {
	Protocol    asn1.ObjectIdentifier
	Version     int
	ParameterID int // -1 when absent
}

// ActiveAuthenticationInfo names the signature algorithm of an EC Active Authentication key.
type ActiveAuthenticationInfo struct {
	Version            int
	SignatureAlgorithm asn1.ObjectIdentifier
}

// SecurityInfos is the content of DG14, EF.CardAccess or EF.CardSecurity.
type SecurityInfos struct {
	ChipAuthentication           []ChipAuthenticationInfo
	ChipAuthenticationPublicKeys []ChipAuthenticationPublicKeyInfo
	PACE                         []PACEInfo
	ActiveAuthentication         []ActiveAuthenticationInfo
	Other                        []SecurityInfo // any other SecurityInfo, kept raw
}

type rawSecurityInfo struct {
	Protocol asn1.ObjectIdentifier
	Required asn1.RawValue
	Optional asn1.RawValue `asn1:"optional"`
}

// ParseSecurityInfos parses a DER SET OF SecurityInfo.
func ParseSecurityInfos(der []byte) (SecurityInfos, error) {
	var set []asn1.RawValue
	rest, err := asn1.UnmarshalWithParams(der, &set, "set")
	if err != nil {
		return SecurityInfos{}, errtext.Wrap(errors.New("SecurityInfos hỏng (malformed SecurityInfos)"), err)
	}
	if len(rest) != 0 {
		return SecurityInfos{}, errtext.Wrap(errors.New("SecurityInfos thừa dữ liệu (trailing data)"), ErrMalformed)
	}
	var s SecurityInfos
	for _, el := range set {
		var ri rawSecurityInfo
		if _, err := asn1.Unmarshal(el.FullBytes, &ri); err != nil {
			return SecurityInfos{}, errtext.Wrap(errors.New("SecurityInfo hỏng (malformed SecurityInfo)"), err)
		}
		p := ri.Protocol
		switch {
		case hasPrefix(p, oidCA) && len(p) == len(oidCA)+2:
			var v struct {
				Protocol asn1.ObjectIdentifier
				Version  int
				KeyID    int `asn1:"optional"`
			}
			if _, err := asn1.Unmarshal(el.FullBytes, &v); err != nil {
				return SecurityInfos{}, errtext.Wrap(errors.New("ChipAuthenticationInfo hỏng (malformed ChipAuthenticationInfo)"), err)
			}
			s.ChipAuthentication = append(s.ChipAuthentication, ChipAuthenticationInfo{Protocol: p, Version: v.Version, KeyID: v.KeyID})
		case hasPrefix(p, oidPK) && len(p) == len(oidPK)+1:
			var v struct {
				Protocol asn1.ObjectIdentifier
				Key      asn1.RawValue
				KeyID    int `asn1:"optional"`
			}
			if _, err := asn1.Unmarshal(el.FullBytes, &v); err != nil {
				return SecurityInfos{}, errtext.Wrap(errors.New("ChipAuthenticationPublicKeyInfo hỏng (malformed ChipAuthenticationPublicKeyInfo)"), err)
			}
			info := ChipAuthenticationPublicKeyInfo{Protocol: p, RawPublicKey: v.Key.FullBytes, KeyID: v.KeyID}
			if pub, err := ParsePublicKey(v.Key.FullBytes); err == nil {
				info.PublicKey = pub
			}
			s.ChipAuthenticationPublicKeys = append(s.ChipAuthenticationPublicKeys, info)
		case hasPrefix(p, oidPACE) && len(p) == len(oidPACE)+2:
			var v struct {
				Protocol    asn1.ObjectIdentifier
				Version     int
				ParameterID int `asn1:"optional,default:-1"`
			}
			if _, err := asn1.Unmarshal(el.FullBytes, &v); err != nil {
				return SecurityInfos{}, errtext.Wrap(errors.New("PACEInfo hỏng (malformed PACEInfo)"), err)
			}
			s.PACE = append(s.PACE, PACEInfo{Protocol: p, Version: v.Version, ParameterID: v.ParameterID})
		case p.Equal(oidAAInfo):
			var v struct {
				Protocol  asn1.ObjectIdentifier
				Version   int
				Algorithm asn1.ObjectIdentifier `asn1:"optional"`
			}
			if _, err := asn1.Unmarshal(el.FullBytes, &v); err != nil {
				return SecurityInfos{}, errtext.Wrap(errors.New("ActiveAuthenticationInfo hỏng (malformed ActiveAuthenticationInfo)"), err)
			}
			s.ActiveAuthentication = append(s.ActiveAuthentication, ActiveAuthenticationInfo{Version: v.Version, SignatureAlgorithm: v.Algorithm})
		default:
			s.Other = append(s.Other, SecurityInfo{Protocol: p, Raw: el.FullBytes})
		}
	}
	return s, nil
}

// Marshal encodes the SecurityInfos as a DER SET OF SecurityInfo.
func (s SecurityInfos) Marshal() ([]byte, error) {
	var els [][]byte
	add := func(v any) error {
		b, err := asn1.Marshal(v)
		if err != nil {
			return err
		}
		els = append(els, b)
		return nil
	}
	for _, c := range s.ChipAuthentication {
		var err error
		if c.KeyID != 0 {
			err = add(struct {
				P    asn1.ObjectIdentifier
				V, K int
			}{c.Protocol, c.Version, c.KeyID})
		} else {
			err = add(struct {
				P asn1.ObjectIdentifier
				V int
			}{c.Protocol, c.Version})
		}
		if err != nil {
			return nil, err
		}
	}
	for _, k := range s.ChipAuthenticationPublicKeys {
		raw := k.RawPublicKey
		if raw == nil {
			var err error
			if raw, err = MarshalPublicKey(k.PublicKey, false); err != nil {
				return nil, err
			}
		}
		var err error
		if k.KeyID != 0 {
			err = add(struct {
				P asn1.ObjectIdentifier
				K asn1.RawValue
				I int
			}{k.Protocol, asn1.RawValue{FullBytes: raw}, k.KeyID})
		} else {
			err = add(struct {
				P asn1.ObjectIdentifier
				K asn1.RawValue
			}{k.Protocol, asn1.RawValue{FullBytes: raw}})
		}
		if err != nil {
			return nil, err
		}
	}
	for _, p := range s.PACE {
		var err error
		if p.ParameterID >= 0 {
			err = add(struct {
				P    asn1.ObjectIdentifier
				V, I int
			}{p.Protocol, p.Version, p.ParameterID})
		} else {
			err = add(struct {
				P asn1.ObjectIdentifier
				V int
			}{p.Protocol, p.Version})
		}
		if err != nil {
			return nil, err
		}
	}
	for _, a := range s.ActiveAuthentication {
		if err := add(struct {
			P asn1.ObjectIdentifier
			V int
			A asn1.ObjectIdentifier
		}{oidAAInfo, a.Version, a.SignatureAlgorithm}); err != nil {
			return nil, err
		}
	}
	for _, o := range s.Other {
		els = append(els, o.Raw)
	}
	raws := make([]asn1.RawValue, len(els))
	for i, e := range els {
		raws[i] = asn1.RawValue{FullBytes: e}
	}
	return asn1.MarshalWithParams(raws, "set")
}

// ParseDG14 parses DG14 (tag 6E holding SecurityInfos).
func ParseDG14(b []byte) (SecurityInfos, error) {
	v, err := unwrap(b, TagDG14, "DG14")
	if err != nil {
		return SecurityInfos{}, err
	}
	s, err := ParseSecurityInfos(v)
	if err != nil {
		return SecurityInfos{}, fmt.Errorf("DG14: %w", err)
	}
	return s, nil
}

// BuildDG14 encodes s as DG14.
func BuildDG14(s SecurityInfos) ([]byte, error) {
	der, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	return tlv.Encode(TagDG14, der), nil
}

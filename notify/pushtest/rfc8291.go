package pushtest

// The worked example of RFC 8291 section 5 (values from its Appendix A),
// base64url without padding. The application server's key pair and the
// salt are fixed there, so the body is reproducible byte for byte: this
// package's decryption and notify's encryption are both proven against
// the RFC rather than against each other.
const (
	RFC8291Plaintext = "When I grow up, I want to be a watermelon"
	RFC8291UAPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
	RFC8291UAPublic  = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
	RFC8291ASPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
	RFC8291ASPublic  = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
	RFC8291Auth      = "BTBZMqHH6r4Tts7J_aSIgg"
	RFC8291Salt      = "DGv6ra1nlYgDCS1FRnbzlw"
	// RFC8291RecordSize is the example's rs: 4096, with no padding.
	RFC8291RecordSize = 4096
	RFC8291Body       = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
		"mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
		"pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)

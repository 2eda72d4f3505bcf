package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"pitlane/store"
)

// customerCount is how many customers the demo garage has.
const customerCount = 64

var (
	italianMen = []string{"Marco", "Luca", "Giuseppe", "Francesco", "Alessandro", "Andrea", "Matteo", "Lorenzo",
		"Davide", "Simone", "Roberto", "Stefano", "Paolo", "Giovanni", "Antonio", "Fabio", "Riccardo", "Nicola"}
	italianWomen = []string{"Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Alessia", "Martina",
		"Federica", "Silvia", "Laura", "Anna", "Paola", "Roberta", "Elisa", "Beatrice", "Ilaria", "Serena"}
	italianSurnames = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
		"Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
		"Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara",
		"Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Serra", "D'Angelo",
		"Benedetti", "Pellegrini", "Zanetti", "Guidi", "Bertolini", "Malaguti"}
	romanianMen = []string{"Andrei", "Alexandru", "Mihai", "Ionuț", "Florin", "Cristian", "Adrian", "Gabriel",
		"Ștefan", "Bogdan", "Vasile", "Daniel"}
	romanianWomen = []string{"Elena", "Ioana", "Maria", "Andreea", "Mihaela", "Alina", "Cristina", "Roxana",
		"Simona", "Gabriela", "Larisa", "Oana"}
	romanianSurnames = []string{"Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
		"Ciobanu", "Rusu", "Constantin", "Munteanu", "Lungu", "Marin", "Tudor", "Moldovan", "Dobre", "Barbu",
		"Nistor", "Florea"}

	// companies are the fleet customers; slug is their e-mail domain.
	companies = []struct{ name, slug string }{
		{"Autotrasporti Galli S.r.l.", "autotrasportigalli"},
		{"Edilizia Moretti & Figli S.n.c.", "ediliziamoretti"},
		{"Pizzeria Bella Napoli S.n.c.", "bellanapoli"},
		{"Studio Tecnico Rinaldi", "studiorinaldi"},
		{"Farmacia San Luca", "farmaciasanluca"},
		{"Idraulica Bruno S.r.l.", "idraulicabruno"},
		{"Trans Popescu Logistic S.r.l.", "transpopescu"},
		{"Elettrica Emiliana S.p.A.", "elettricaemiliana"},
		{"Agriturismo La Quercia", "laquercia"},
		{"Noleggio Felsina S.r.l.", "noleggiofelsina"},
	}

	streets = []string{"Via Emilia", "Via San Donato", "Via Stalingrado", "Via Mazzini", "Via Saragozza",
		"Via Massarenti", "Via Toscana", "Via Andrea Costa", "Via della Repubblica", "Via Roma", "Via Garibaldi",
		"Via Marconi", "Viale Europa", "Via Matteotti", "Via dei Mille", "Via Bentini"}
	towns = []string{"40121 Bologna BO", "40127 Bologna BO", "40133 Bologna BO", "40139 Bologna BO",
		"40033 Casalecchio di Reno BO", "40068 San Lazzaro di Savena BO", "40013 Castel Maggiore BO",
		"40017 San Giovanni in Persiceto BO", "40026 Imola BO", "40055 Castenaso BO", "40069 Zola Predosa BO",
		"40057 Granarolo dell'Emilia BO"}

	// Addresses under the example domains reserved by RFC 2606, so nothing
	// the demo sends can reach a real mailbox.
	emailDomains = []string{"example.com", "example.org", "example.net"}
	mobiles      = []string{"320", "328", "329", "333", "334", "335", "338", "339", "340", "345", "347", "348",
		"349", "366", "388", "392"}
)

// customer makes customer i from its own random stream.
func (g *garage) customer(r *rand.Rand, i int) store.Customer {
	if i%6 == 3 && i/6 < len(companies) {
		co := companies[i/6]
		return store.Customer{
			Company: true, Name: co.name, Lang: "it",
			Email:   g.email("amministrazione@" + co.slug + ".example"),
			Phone:   g.phone(func() string { return fmt.Sprintf("+39 051 %03d %04d", r.IntN(1000), r.IntN(10000)) }),
			Address: address(r), TaxCode: vatNumber(r),
		}
	}
	romanian := r.IntN(4) == 0
	first, last := italianMen, italianSurnames
	if romanian {
		first, last = romanianMen, romanianSurnames
	}
	if r.IntN(2) == 0 {
		first = italianWomen
		if romanian {
			first = romanianWomen
		}
	}
	var name, given, family string
	for name == "" || g.names[name] {
		given, family = pick(r, first), pick(r, last)
		name = given + " " + family
	}
	g.names[name] = true
	c := store.Customer{Name: name, Lang: "it", Address: address(r)}
	c.Email = g.email(ascii(given) + "." + ascii(family) + "@" + pick(r, emailDomains))
	mobile := func() string { return fmt.Sprintf("+39 %s %03d %04d", pick(r, mobiles), r.IntN(1000), r.IntN(10000)) }
	if romanian {
		c.Lang = "ro"
		if r.IntN(2) == 0 {
			mobile = func() string { return fmt.Sprintf("+40 7%02d %03d %03d", r.IntN(100), r.IntN(1000), r.IntN(1000)) }
		}
	}
	c.Phone = g.phone(mobile)
	return c
}

// email returns addr, numbered when it is taken (giulia.rossi2@…), and
// records it.
func (g *garage) email(addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	for n := 2; g.emails[addr]; n++ {
		addr = fmt.Sprintf("%s%d@%s", local, n, domain)
	}
	g.emails[addr] = true
	return addr
}

// phone draws numbers until one is not taken.
func (g *garage) phone(draw func() string) string {
	for {
		p := draw()
		if key := store.NormalizePhone(p); !g.phones[key] {
			g.phones[key] = true
			return p
		}
	}
}

func address(r *rand.Rand) string {
	return fmt.Sprintf("%s %d, %s", pick(r, streets), 1+r.IntN(180), pick(r, towns))
}

// vatNumber is an Italian partita IVA: ten digits and a Luhn check digit.
func vatNumber(r *rand.Rand) string {
	d := make([]int, 11)
	for i := range 10 {
		d[i] = r.IntN(10)
	}
	sum := 0
	for i := range 10 {
		v := d[i]
		if i%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[10] = (10 - sum%10) % 10
	var b strings.Builder
	for _, v := range d {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

// ascii turns a name into the part of an e-mail address people pick for
// themselves: lower case, no accents, spaces or apostrophes.
func ascii(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'á', 'ă', 'â':
			r = 'a'
		case 'è', 'é':
			r = 'e'
		case 'ì', 'í', 'î':
			r = 'i'
		case 'ò', 'ó':
			r = 'o'
		case 'ù', 'ú':
			r = 'u'
		case 'ș', 'ş':
			r = 's'
		case 'ț', 'ţ':
			r = 't'
		}
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

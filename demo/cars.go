package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"pitlane/store"
)

// model is a car on sale in Italy in the last fifteen years.
type model struct {
	make, name string
	wmi        string // world manufacturer identifier: the VIN's first three characters
	fuels      []string
	from       int // first model year
	until      int // last model year; 0 while still sold
	van        bool
}

var models = []model{
	{"Fiat", "Panda", "ZFA", []string{"petrol", "petrol", "hybrid", "cng", "lpg"}, 2012, 0, false},
	{"Fiat", "500", "ZFA", []string{"petrol", "hybrid", "electric"}, 2010, 0, false},
	{"Fiat", "Tipo", "ZFA", []string{"petrol", "diesel"}, 2016, 0, false},
	{"Fiat", "500X", "ZFA", []string{"petrol", "diesel"}, 2015, 0, false},
	{"Alfa Romeo", "Giulietta", "ZAR", []string{"diesel", "petrol"}, 2010, 2020, false},
	{"Alfa Romeo", "Giulia", "ZAR", []string{"diesel"}, 2016, 0, false},
	{"Alfa Romeo", "Stelvio", "ZAR", []string{"diesel"}, 2017, 0, false},
	{"Lancia", "Ypsilon", "ZLA", []string{"petrol", "hybrid", "lpg"}, 2011, 0, false},
	{"Jeep", "Renegade", "ZAC", []string{"diesel", "petrol", "plugin"}, 2014, 0, false},
	{"Volkswagen", "Golf", "WVW", []string{"petrol", "diesel", "diesel", "plugin"}, 2010, 0, false},
	{"Volkswagen", "Polo", "WVW", []string{"petrol"}, 2010, 0, false},
	{"Volkswagen", "T-Roc", "WVG", []string{"petrol", "diesel"}, 2018, 0, false},
	{"Renault", "Clio", "VF1", []string{"petrol", "diesel", "lpg", "hybrid"}, 2010, 0, false},
	{"Renault", "Captur", "VF1", []string{"petrol", "hybrid", "plugin"}, 2014, 0, false},
	{"Dacia", "Sandero", "UU1", []string{"petrol", "lpg", "lpg"}, 2010, 0, false},
	{"Dacia", "Duster", "UU1", []string{"diesel", "petrol", "lpg"}, 2011, 0, false},
	{"Peugeot", "208", "VF3", []string{"petrol", "diesel", "electric"}, 2012, 0, false},
	{"Peugeot", "3008", "VF3", []string{"diesel", "hybrid"}, 2010, 0, false},
	{"Citroën", "C3", "VF7", []string{"petrol", "diesel"}, 2010, 0, false},
	{"Ford", "Fiesta", "WF0", []string{"petrol"}, 2010, 2023, false},
	{"Ford", "Focus", "WF0", []string{"diesel", "petrol"}, 2010, 0, false},
	{"Opel", "Corsa", "W0L", []string{"petrol", "electric"}, 2010, 0, false},
	{"Opel", "Astra", "W0L", []string{"diesel", "petrol"}, 2010, 0, false},
	{"Toyota", "Yaris", "VNK", []string{"hybrid"}, 2012, 0, false},
	{"Toyota", "C-HR", "NMT", []string{"hybrid"}, 2017, 0, false},
	{"BMW", "Serie 3", "WBA", []string{"diesel", "petrol", "plugin"}, 2010, 0, false},
	{"BMW", "X1", "WBA", []string{"diesel", "plugin"}, 2010, 0, false},
	{"Mercedes-Benz", "Classe A", "WDD", []string{"diesel", "petrol"}, 2012, 0, false},
	{"Mercedes-Benz", "Classe C", "WDD", []string{"diesel", "plugin"}, 2010, 0, false},
	{"Audi", "A3", "WAU", []string{"diesel", "petrol"}, 2010, 0, false},
	{"Audi", "A4", "WAU", []string{"diesel"}, 2010, 0, false},
	{"Skoda", "Octavia", "TMB", []string{"diesel", "petrol", "cng"}, 2010, 0, false},
	{"Hyundai", "i20", "NLH", []string{"petrol", "lpg"}, 2010, 0, false},
	{"Kia", "Sportage", "U5Y", []string{"diesel", "hybrid"}, 2010, 0, false},
	{"Tesla", "Model 3", "LRW", []string{"electric"}, 2019, 0, false},
	{"Fiat", "Ducato", "ZFA", []string{"diesel"}, 2010, 0, true},
	{"Fiat", "Doblò", "ZFA", []string{"diesel", "cng"}, 2010, 0, true},
	{"Volkswagen", "Transporter", "WV1", []string{"diesel"}, 2010, 0, true},
	{"Ford", "Transit", "WF0", []string{"diesel"}, 2010, 0, true},
	{"Renault", "Kangoo", "VF1", []string{"diesel", "electric"}, 2010, 0, true},
	{"Iveco", "Daily", "ZCF", []string{"diesel"}, 2010, 0, true},
}

// batteryFrom is the first year the demo garage sees a car of that fuel.
var batteryFrom = map[string]int{"electric": 2019, "plugin": 2020, "hybrid": 2012}

// vinChars are the characters a VIN may contain: no I, O or Q.
const vinChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

// plateLetters are the letters Italian plates use: no I, O, Q or U.
const plateLetters = "ABCDEFGHJKLMNPRSTVWXYZ"

// vinYears encodes the model year in the VIN's tenth character, a 30-year
// cycle starting with A for 1980.
const vinYears = "ABCDEFGHJKLMNPRSTVWXY123456789"

// carsFor says how many cars a customer brings to the garage.
func carsFor(r *rand.Rand, company bool) int {
	if company {
		return 2 + r.IntN(2)
	}
	switch n := r.IntN(10); {
	case n < 6:
		return 1
	case n < 9:
		return 2
	default:
		return 3
	}
}

// car makes one car, registered in a year before nowYear, with a plate and
// VIN nobody else has.
func (g *garage) car(r *rand.Rand, company bool) store.Vehicle {
	m := pick(r, models)
	for company && !m.van && r.IntN(3) > 0 {
		m = pick(r, models)
	}
	fuel := pick(r, m.fuels)
	nowYear := g.now.Year()
	year := nowYear - 2 - r.IntN(13)
	year = max(year, m.from, batteryFrom[fuel])
	year = min(year, nowYear-2)
	if m.until != 0 {
		year = min(year, m.until)
	}
	return store.Vehicle{Make: m.make, Model: m.name, Year: year, Fuel: fuel,
		Plate: g.plate(r, year), VIN: g.vin(r, m.wmi, year)}
}

// plate is an Italian plate such as "GA123BC". Plates are issued in
// sequence, so the first two letters follow the year of registration.
func (g *garage) plate(r *rand.Rand, year int) string {
	n := len(plateLetters)
	for {
		seq := min(max((year-1994)*5+r.IntN(5), 0), n*n-1)
		p := fmt.Sprintf("%c%c%03d%c%c", plateLetters[seq/n], plateLetters[seq%n], r.IntN(1000),
			plateLetters[r.IntN(n)], plateLetters[r.IntN(n)])
		if !g.plates[p] {
			g.plates[p] = true
			return p
		}
	}
}

// vin is a 17-character VIN: manufacturer, six descriptor characters, model
// year, plant and serial number.
func (g *garage) vin(r *rand.Rand, wmi string, year int) string {
	for {
		var b strings.Builder
		b.WriteString(wmi)
		for range 6 {
			b.WriteByte(vinChars[r.IntN(len(vinChars))])
		}
		b.WriteByte(vinYears[((year-1980)%30+30)%30])
		b.WriteByte(vinChars[r.IntN(len(vinChars)-10)])
		fmt.Fprintf(&b, "%06d", r.IntN(1_000_000))
		v := b.String()
		if !g.vins[v] {
			g.vins[v] = true
			return v
		}
	}
}

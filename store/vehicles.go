package store

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"
)

// Fuel types a vehicle may have.
var Fuels = []string{"petrol", "diesel", "hybrid", "plugin", "electric", "lpg", "cng"}

// Reading is one odometer reading.
type Reading struct {
	At     time.Time `json:"at"`
	Km     int       `json:"km"`
	Source string    `json:"source"` // checkin, customer, import, demo
}

// Vehicle is a customer's car, with its odometer history.
type Vehicle struct {
	ID         uint64    `json:"id"`
	CustomerID uint64    `json:"customer_id"`
	Plate      string    `json:"plate"`
	VIN        string    `json:"vin,omitempty"`
	Make       string    `json:"make"`
	Model      string    `json:"model"`
	Year       int       `json:"year,omitempty"`
	Fuel       string    `json:"fuel,omitempty"`
	Odometer   []Reading `json:"odometer,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// NormalizePlate is how plates are compared: letters (any alphabet, so the
// German "LÖ" stays apart from "L") and digits, upper case.
func NormalizePlate(p string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(p) {
		if unicode.IsLetter(r) || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// vinPattern is ISO 3779: 17 characters, no I, O or Q.
var vinPattern = regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)

var vinValues = map[rune]int{'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5, 'F': 6, 'G': 7, 'H': 8, 'J': 1, 'K': 2, 'L': 3,
	'M': 4, 'N': 5, 'P': 7, 'R': 9, 'S': 2, 'T': 3, 'U': 4, 'V': 5, 'W': 6, 'X': 7, 'Y': 8, 'Z': 9}
var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// ValidVIN checks a VIN's form; for North American VINs (first character 1-5)
// it also checks the check digit, which only they are required to carry.
func ValidVIN(vin string) bool {
	if !vinPattern.MatchString(vin) {
		return false
	}
	if vin[0] < '1' || vin[0] > '5' {
		return true
	}
	sum := 0
	for i, r := range vin {
		v, ok := vinValues[r]
		if !ok {
			v = int(r - '0')
		}
		sum += v * vinWeights[i]
	}
	check := byte('0' + sum%11)
	if sum%11 == 10 {
		check = 'X'
	}
	return vin[8] == check
}

func (v *Vehicle) normalize(now time.Time) error {
	var val Validation
	v.Plate = strings.ToUpper(strings.TrimSpace(v.Plate))
	v.VIN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v.VIN), " ", ""))
	v.Make, v.Model = strings.TrimSpace(v.Make), strings.TrimSpace(v.Model)
	if NormalizePlate(v.Plate) == "" {
		val.Add("plate", "common.error.required")
	}
	if v.VIN != "" && !ValidVIN(v.VIN) {
		val.Add("vin", "vehicles.error.vin_invalid")
	}
	if v.Make == "" {
		val.Add("make", "common.error.required")
	}
	if v.Fuel != "" && !contains(Fuels, v.Fuel) {
		val.Add("fuel", "vehicles.error.fuel_invalid")
	}
	if v.Year != 0 && (v.Year < 1900 || v.Year > now.Year()+1) {
		val.Add("year", "vehicles.error.year_invalid")
	}
	if v.CustomerID == 0 {
		val.Add("customer_id", "common.error.required")
	}
	for i, r := range v.Odometer {
		if r.Km < 0 || r.Km > 3_000_000 {
			val.Add("odometer", "vehicles.error.odometer_invalid")
			break
		}
		if r.At.IsZero() {
			v.Odometer[i].At = now.UTC()
		}
		if r.Source == "" {
			v.Odometer[i].Source = "manual"
		}
	}
	return val.Err()
}

func (s *Store) putNewVehicle(w writer, v *Vehicle) error {
	byPlate, byVIN := w.tx.Bucket(bVehByPlate), w.tx.Bucket(bVehByVIN)
	plate := NormalizePlate(v.Plate)
	if byPlate.Get([]byte(plate)) != nil {
		return &Error{Code: CodeConflict, Key: "vehicles.error.exists", Fields: []FieldError{{Field: "plate", Key: "vehicles.error.plate_taken"}}}
	}
	if v.VIN != "" && byVIN.Get([]byte(v.VIN)) != nil {
		return &Error{Code: CodeConflict, Key: "vehicles.error.exists", Fields: []FieldError{{Field: "vin", Key: "vehicles.error.vin_taken"}}}
	}
	if w.tx.Bucket(bCustomers).Get(itob(v.CustomerID)) == nil {
		return Invalid("customer_id", "errors.not_found")
	}
	b := w.tx.Bucket(bVehicles)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	v.ID, v.Created, v.Updated = id, w.now, w.now
	if err := putJSON(b, itob(id), v); err != nil {
		return err
	}
	if err := byPlate.Put([]byte(plate), itob(id)); err != nil {
		return err
	}
	if v.VIN != "" {
		if err := byVIN.Put([]byte(v.VIN), itob(id)); err != nil {
			return err
		}
	}
	if err := w.tx.Bucket(bVehByCust).Put(append(itob(v.CustomerID), itob(id)...), nil); err != nil {
		return err
	}
	if err := counter(w.tx, "vehicles", 1); err != nil {
		return err
	}
	return w.change("vehicle", id, OpPut)
}

// CreateVehicle adds a car to a customer.
func (s *Store) CreateVehicle(a Actor, v Vehicle) (Vehicle, error) {
	if err := v.normalize(s.now()); err != nil {
		return v, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		if err := s.putNewVehicle(w, &v); err != nil {
			return err
		}
		return w.audit(a, "vehicle_create", "vehicle", v.ID, v.Plate)
	})
	return v, err
}

// Vehicle returns one car.
func (s *Store) Vehicle(id uint64) (Vehicle, error) {
	var v Vehicle
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bVehicles), itob(id), &v) })
	return v, err
}

// VehicleByPlate finds a car by its plate, however it is written.
func (s *Store) VehicleByPlate(plate string) (Vehicle, error) {
	var v Vehicle
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bVehByPlate).Get([]byte(NormalizePlate(plate)))
		if id == nil {
			return NotFound()
		}
		return getJSON(tx.Bucket(bVehicles), id, &v)
	})
	return v, err
}

// CustomerVehicles lists a customer's cars.
func (s *Store) CustomerVehicles(customerID uint64) ([]Vehicle, error) {
	var out []Vehicle
	err := s.view(func(tx *bolt.Tx) error {
		prefix := itob(customerID)
		c := tx.Bucket(bVehByCust).Cursor()
		all := tx.Bucket(bVehicles)
		for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
			var v Vehicle
			if err := getJSON(all, k[8:], &v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

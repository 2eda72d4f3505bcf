package store

import (
	"fmt"
	"regexp"
	"sort"
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
	ID         uint64 `json:"id"`
	CustomerID uint64 `json:"customer_id"`
	Plate      string `json:"plate"`
	VIN        string `json:"vin,omitempty"`
	Make       string `json:"make"`
	Model      string `json:"model"`
	Year       int    `json:"year,omitempty"`
	Fuel       string `json:"fuel,omitempty"`
	Version    string `json:"version,omitempty"`
	Colour     string `json:"colour,omitempty"`
	// Registered is the first registration date.
	Registered time.Time `json:"registered,omitempty"`
	Odometer   []Reading `json:"odometer,omitempty"`
	// Owners is the history of who owned the car while it was on file.
	Owners  []Ownership `json:"owners,omitempty"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
}

// Ownership is one period a customer owned a car; To is zero for the owner
// now.
type Ownership struct {
	CustomerID uint64    `json:"customer_id"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to,omitempty"`
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
	v.VIN = normalizeVIN(v.VIN)
	v.Make, v.Model = strings.TrimSpace(v.Make), strings.TrimSpace(v.Model)
	v.Version, v.Colour = strings.TrimSpace(v.Version), strings.TrimSpace(v.Colour)
	if !v.Registered.IsZero() && v.Registered.After(now) {
		val.Add("registered", "vehicles.error.registered_future")
	}
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
	v.ID = 0
	if err := checkVehicleUnique(w.tx, v); err != nil {
		return err
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
	v.Owners = []Ownership{{CustomerID: v.CustomerID, From: w.now}}
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
	if err := w.timeline(v.CustomerID, "vehicle", id, "timeline.vehicle_added", "plate", v.Plate); err != nil {
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
		var err error
		out, err = vehiclesOf(tx, customerID)
		return err
	})
	return out, err
}

func checkVehicleUnique(tx *bolt.Tx, v *Vehicle) error {
	if id := tx.Bucket(bVehByPlate).Get([]byte(NormalizePlate(v.Plate))); id != nil && btoi(id) != v.ID {
		return &Error{Code: CodeConflict, Key: "vehicles.error.exists", Existing: btoi(id),
			Fields: []FieldError{{Field: "plate", Key: "vehicles.error.plate_taken"}}}
	}
	if v.VIN != "" {
		if id := tx.Bucket(bVehByVIN).Get([]byte(v.VIN)); id != nil && btoi(id) != v.ID {
			return &Error{Code: CodeConflict, Key: "vehicles.error.exists", Existing: btoi(id),
				Fields: []FieldError{{Field: "vin", Key: "vehicles.error.vin_taken"}}}
		}
	}
	return nil
}

// UpdateVehicle changes a car's details. Owner and odometer history are
// changed only by TransferVehicle and AddReading.
func (s *Store) UpdateVehicle(a Actor, v Vehicle) (Vehicle, error) {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bVehicles)
		var old Vehicle
		if err := getJSON(b, itob(v.ID), &old); err != nil {
			return err
		}
		w := s.writer(tx)
		v.CustomerID, v.Owners, v.Odometer, v.Created = old.CustomerID, old.Owners, old.Odometer, old.Created
		if err := v.normalize(w.now); err != nil {
			return err
		}
		if err := checkVehicleUnique(tx, &v); err != nil {
			return err
		}
		if err := tx.Bucket(bVehByPlate).Delete([]byte(NormalizePlate(old.Plate))); err != nil {
			return err
		}
		if old.VIN != "" {
			if err := tx.Bucket(bVehByVIN).Delete([]byte(old.VIN)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bVehByPlate).Put([]byte(NormalizePlate(v.Plate)), itob(v.ID)); err != nil {
			return err
		}
		if v.VIN != "" {
			if err := tx.Bucket(bVehByVIN).Put([]byte(v.VIN), itob(v.ID)); err != nil {
				return err
			}
		}
		v.Updated = w.now
		if err := putJSON(b, itob(v.ID), v); err != nil {
			return err
		}
		if err := w.change("vehicle", v.ID, OpPut); err != nil {
			return err
		}
		return w.audit(a, "vehicle_update", "vehicle", v.ID, v.Plate)
	})
	return v, err
}

// moveVehicle gives a car to another customer inside tx, closing the old
// ownership, and moves its jobs' customer with it when moveJobs is set
// (a merge: the jobs were the same person's; a sale keeps them with the
// seller).
func moveVehicle(w writer, v *Vehicle, to uint64, moveJobs bool) error {
	from := v.CustomerID
	byCust := w.tx.Bucket(bVehByCust)
	if err := byCust.Delete(append(itob(from), itob(v.ID)...)); err != nil {
		return err
	}
	if err := byCust.Put(append(itob(to), itob(v.ID)...), nil); err != nil {
		return err
	}
	if moveJobs {
		for i := range v.Owners {
			if v.Owners[i].CustomerID == from {
				v.Owners[i].CustomerID = to
			}
		}
		jobs := w.tx.Bucket(bJobs)
		c := w.tx.Bucket(bJobsByVehicle).Cursor()
		for k, _ := c.Seek(itob(v.ID)); k != nil && btoi(k[:8]) == v.ID; k, _ = c.Next() {
			var j Job
			if err := getJSON(jobs, k[8:], &j); err != nil {
				return err
			}
			was := j.CustomerID
			j.CustomerID = to
			if err := putJSON(jobs, k[8:], j); err != nil {
				return err
			}
			if err := indexJobMedia(w.tx, j, was); err != nil {
				return err
			}
			if err := w.change("job", j.ID, OpPut); err != nil {
				return err
			}
		}
	} else {
		if n := len(v.Owners); n > 0 && v.Owners[n-1].To.IsZero() {
			v.Owners[n-1].To = w.now
		}
		v.Owners = append(v.Owners, Ownership{CustomerID: to, From: w.now})
	}
	v.CustomerID, v.Updated = to, w.now
	if err := putJSON(w.tx.Bucket(bVehicles), itob(v.ID), v); err != nil {
		return err
	}
	return w.change("vehicle", v.ID, OpPut)
}

// TransferVehicle records that a car changed owner. Its history (jobs,
// odometer) stays with the car; each customer's timeline says so.
func (s *Store) TransferVehicle(a Actor, vehicleID, to uint64) (Vehicle, error) {
	var v Vehicle
	err := s.update(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bVehicles), itob(vehicleID), &v); err != nil {
			return err
		}
		if v.CustomerID == to {
			return nil
		}
		var buyer Customer
		if err := getJSON(tx.Bucket(bCustomers), itob(to), &buyer); err != nil {
			return Invalid("customer_id", "errors.not_found")
		}
		w := s.writer(tx)
		from := v.CustomerID
		if err := moveVehicle(w, &v, to, false); err != nil {
			return err
		}
		if err := w.timeline(from, "vehicle", v.ID, "timeline.vehicle_sold", "plate", v.Plate); err != nil {
			return err
		}
		if err := w.timeline(to, "vehicle", v.ID, "timeline.vehicle_bought", "plate", v.Plate); err != nil {
			return err
		}
		return w.audit(a, "vehicle_transfer", "vehicle", v.ID, v.Plate)
	})
	return v, err
}

// AddReading records an odometer reading. A reading lower than an earlier
// one is refused: odometers do not go back.
func (s *Store) AddReading(a Actor, vehicleID uint64, r Reading) (Vehicle, error) {
	var v Vehicle
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		v, err = addReading(s.writer(tx), a, vehicleID, r)
		return err
	})
	return v, err
}

// addReading is AddReading inside a caller's transaction (a job's check-in).
func addReading(w writer, a Actor, vehicleID uint64, r Reading) (Vehicle, error) {
	var v Vehicle
	err := func() error {
		b := w.tx.Bucket(bVehicles)
		if err := getJSON(b, itob(vehicleID), &v); err != nil {
			return err
		}
		if r.At.IsZero() {
			r.At = w.now
		}
		if r.Source == "" {
			r.Source = "manual"
		}
		if r.Km < 0 || r.Km > 3_000_000 {
			return Invalid("km", "vehicles.error.odometer_invalid")
		}
		for _, old := range v.Odometer {
			if !old.At.After(r.At) && old.Km > r.Km {
				return Invalid("km", "vehicles.error.odometer_back", "km", fmt.Sprint(old.Km))
			}
			if old.At.After(r.At) && old.Km < r.Km {
				return Invalid("km", "vehicles.error.odometer_ahead", "km", fmt.Sprint(old.Km))
			}
		}
		v.Odometer = append(v.Odometer, r)
		sort.SliceStable(v.Odometer, func(i, j int) bool { return v.Odometer[i].At.Before(v.Odometer[j].At) })
		v.Updated = w.now
		if err := putJSON(b, itob(v.ID), v); err != nil {
			return err
		}
		if err := w.change("vehicle", v.ID, OpPut); err != nil {
			return err
		}
		return w.audit(a, "odometer_reading", "vehicle", v.ID, fmt.Sprintf("%s: %d km", v.Plate, r.Km))
	}()
	return v, err
}

// VehiclePage is one page of a vehicle listing by plate.
type VehiclePage struct {
	Vehicles []Vehicle
	Next     string
	Total    int64
}

// Vehicles lists cars by plate, limit at a time, after the cursor a previous
// page returned.
func (s *Store) Vehicles(after string, limit int) (VehiclePage, error) {
	if limit <= 0 || limit > maxPageSize {
		limit = 50
	}
	var p VehiclePage
	err := s.view(func(tx *bolt.Tx) error {
		p.Total = readCounter(tx, "vehicles")
		all := tx.Bucket(bVehicles)
		c := tx.Bucket(bVehByPlate).Cursor()
		k, id := c.Seek([]byte(after))
		if after != "" && string(k) == after {
			k, id = c.Next()
		}
		for ; k != nil; k, id = c.Next() {
			if len(p.Vehicles) == limit {
				p.Next = string(p.Vehicles[len(p.Vehicles)-1].plateKey())
				return nil
			}
			var v Vehicle
			if err := getJSON(all, id, &v); err != nil {
				return err
			}
			p.Vehicles = append(p.Vehicles, v)
		}
		return nil
	})
	return p, err
}

func (v Vehicle) plateKey() string { return NormalizePlate(v.Plate) }

// VehicleMatches lists cars already on file with v's plate or VIN.
func (s *Store) VehicleMatches(v Vehicle) ([]Vehicle, error) {
	var out []Vehicle
	err := s.view(func(tx *bolt.Tx) error {
		seen := map[uint64]bool{}
		for _, k := range []struct{ b, key []byte }{{bVehByPlate, []byte(NormalizePlate(v.Plate))}, {bVehByVIN, []byte(normalizeVIN(v.VIN))}} {
			if len(k.key) == 0 {
				continue
			}
			id := tx.Bucket(k.b).Get(k.key)
			if id == nil || seen[btoi(id)] || btoi(id) == v.ID {
				continue
			}
			seen[btoi(id)] = true
			var found Vehicle
			if err := getJSON(tx.Bucket(bVehicles), id, &found); err != nil {
				return err
			}
			out = append(out, found)
		}
		return nil
	})
	return out, err
}

// normalizeVIN is how VINs are stored and looked up: no spaces, upper case.
func normalizeVIN(vin string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(vin), " ", ""))
}

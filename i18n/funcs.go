package i18n

import (
	"fmt"
	"html/template"
	"math"
	"reflect"
	"time"
)

// Funcs returns the template functions for a page read in language l, with
// dates, numbers and money written the way loc says (usually loc.Lang == l):
//
//	{{t "users.created" "name" .User.Name}}
//	{{date .Created}} {{datetime .Start}} {{time .Start}} {{fulldate .Day}}
//	{{money .TotalCents}} {{number .Odometer 0}}
//
// The date functions take a time.Time or *time.Time and print nothing for a
// zero time or nil pointer, so "not yet" needs no guard in the template.
// money and number take any integer (money) or numeric (number) type, so
// fields typed int, int64 or a named type work without conversion; anything
// else fails the render with an error naming the type.
func Funcs(l Lang, loc Locale) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string {
			return T(l, key, args...)
		},
		"date":     timeFunc("date", loc.Date),
		"datetime": timeFunc("datetime", loc.DateTime),
		"time":     timeFunc("time", loc.Time),
		"fulldate": timeFunc("fulldate", loc.FullDate),
		"money": func(v any) (string, error) {
			minor, err := toInt64(v)
			if err != nil {
				return "", fmt.Errorf("money: %w", err)
			}
			return loc.Money(minor), nil
		},
		"number": func(v any, decimals int) (string, error) {
			f, err := toFloat64(v)
			if err != nil {
				return "", fmt.Errorf("number: %w", err)
			}
			return loc.Number(f, decimals), nil
		},
	}
}

func timeFunc(name string, format func(time.Time) string) func(any) (string, error) {
	return func(v any) (string, error) {
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = v
		case *time.Time:
			if v != nil {
				t = *v
			}
		default:
			return "", fmt.Errorf("%s: want time.Time, got %T", name, v)
		}
		if t.IsZero() {
			return "", nil
		}
		return format(t), nil
	}
}

// Reflection rather than a type switch, so named types (type Cents int64) work.
func toInt64(v any) (int64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), nil
		}
		return 0, fmt.Errorf("%v overflows int64", v)
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}

func toFloat64(v any) (float64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

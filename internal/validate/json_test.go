package validate

import "testing"

func TestCheckJSONObject(t *testing.T) {
	runCheck(t, CheckJSONObject, cases(
		good("{}", ` { "a": 1 } `, `{"a":{"b":[1,2,{"c":null}]}}`, "\n{\"k\":\"v\"}\n", `{"a":1,"a":2}`),
		bad("", " ", "{", "}", `{"a":}`, `{'a':1}`, `{"a":1}{"b":2}`, `{"a":1},`, "{} x"),
		[]checkCase{
			{in: "[1,2]", errHas: "JSON array"},
			{in: `"{}"`, errHas: "encoded twice"},
			{in: "null", errHas: "JSON null"},
			{in: "42", errHas: "JSON scalar"},
			{in: "true", errHas: "JSON scalar"},
			{in: `{"a" 1}`, errHas: "not valid JSON"},
		},
	))
}

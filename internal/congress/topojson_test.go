package congress

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"
)

// A quantized, delta-encoded topology: arc 0 is a square, arc 1 a hole in
// it, arcs 2 and 3 two halves of another square that share both ends.
const quantizedTopo = `{"type":"Topology",
 "transform":{"scale":[0.5,0.25],"translate":[10,20]},
 "arcs":[
  [[0,0],[4,0],[0,4],[-4,0],[0,-4]],
  [[1,1],[0,1],[1,0],[0,-1],[-1,0]],
  [[10,0],[2,0],[0,2]],
  [[10,0],[0,2],[2,0]]
 ],
 "objects":{"districts":{"type":"GeometryCollection","geometries":[
  {"type":"Polygon","arcs":[[0],[1]],"properties":{"STATEFP":"36","CD119FP":"12","GEOID":"3612"}},
  {"type":"MultiPolygon","arcs":[[[2,-4]],[[0]]],"properties":{"STATEFP":"11","CD119FP":"98","STUSPS":"DC"}}
 ]}}}`

func TestDecodeTopoJSONQuantized(t *testing.T) {
	feats, err := decodeTopoJSON([]byte(quantizedTopo), "districts")
	if err != nil {
		t.Fatal(err)
	}
	square := orb.Ring{{10, 20}, {12, 20}, {12, 21}, {10, 21}, {10, 20}}
	hole := orb.Ring{{10.5, 20.25}, {10.5, 20.5}, {11, 20.5}, {11, 20.25}, {10.5, 20.25}}
	joined := orb.Ring{{15, 20}, {16, 20}, {16, 20.5}, {15, 20.5}, {15, 20}}
	want := []topoFeature{
		{Props: topoProps{StateFP: "36", CD119FP: "12", GEOID: "3612"}, Shape: orb.MultiPolygon{{square, hole}}},
		{Props: topoProps{StateFP: "11", CD119FP: "98", StUSPS: "DC"}, Shape: orb.MultiPolygon{{joined}, {square}}},
	}
	if !reflect.DeepEqual(feats, want) {
		t.Errorf("decoded\n %+v\nwant\n %+v", feats, want)
	}
}

func TestDecodeTopoJSONPlain(t *testing.T) {
	// Without a transform positions are absolute and may be fractional.
	doc := `{"type":"Topology","arcs":[[[-1.5,2.25],[3e0,2.25,99]],[[3,2.25],[3,5],[-1.5,2.25]]],
	 "objects":{"s":{"type":"GeometryCollection","geometries":[{"type":"Polygon","arcs":[[0,1]],"properties":{"STUSPS":"VT"}}]}}}`
	feats, err := decodeTopoJSON([]byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	want := orb.MultiPolygon{{{{-1.5, 2.25}, {3, 2.25}, {3, 5}, {-1.5, 2.25}}}}
	if len(feats) != 1 || !reflect.DeepEqual(feats[0].Shape, want) || feats[0].Props.StUSPS != "VT" {
		t.Errorf("decoded %+v, want %v", feats, want)
	}
}

func TestDecodeTopoJSONErrors(t *testing.T) {
	geo := func(g string) string {
		return `{"type":"Topology","arcs":[[[0,0],[1,0],[1,1],[0,0]]],"objects":{"o":{"type":"GeometryCollection","geometries":[` + g + `]}}}`
	}
	tests := []struct {
		name, doc, object, want string
	}{
		{"not json", `{"type":`, "", "parse json"},
		{"not a topology", `{"type":"FeatureCollection"}`, "", "want Topology"},
		{"missing object", geo(`{"type":"Polygon","arcs":[[0]]}`), "districts", `no object "districts"`},
		{"line string", geo(`{"type":"LineString","arcs":[0]}`), "", "not supported"},
		{"arc out of range", geo(`{"type":"Polygon","arcs":[[3]]}`), "", "out of range"},
		{"reversed arc out of range", geo(`{"type":"Polygon","arcs":[[-3]]}`), "", "out of range"},
		{"polygon without rings", geo(`{"type":"Polygon","arcs":[]}`), "", "without rings"},
		{"bad arcs", `{"type":"Topology","arcs":[[[0,"x"]]],"objects":{"o":{"type":"GeometryCollection","geometries":[]}}}`, "", "parse arcs"},
		{"short arc", `{"type":"Topology","arcs":[[[0,0]]],"objects":{"o":{"type":"GeometryCollection","geometries":[]}}}`, "", "1 positions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeTopoJSON([]byte(tt.doc), tt.object)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	fsys := fstest.MapFS{
		"a.csv": {Data: []byte("\xef\xbb\xbfzip,city,state\r\n1001,Agawam,MA\r\n\"02840\",\"Newport, East\",\"RI\"\r\n\r\n501,Holtsville\n")},
	}
	var got [][3]string
	err := readCSV(fsys, "a.csv", []string{"zip", "city"}, func(col func(string) string) error {
		z, _ := padZIP(col("zip"))
		got = append(got, [3]string{z, col("city"), col("state")})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][3]string{{"01001", "Agawam", "MA"}, {"02840", "Newport, East", "RI"}, {"00501", "Holtsville", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	if err := readCSV(fsys, "a.csv", []string{"zcta"}, func(func(string) string) error { return nil }); err == nil || !strings.Contains(err.Error(), `no column "zcta"`) {
		t.Errorf("missing column error = %v", err)
	}
}

func TestPadZIP(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1001", "01001", true}, {"501", "00501", true}, {"10025", "10025", true},
		{"", "", false}, {"123456", "", false}, {"12a", "", false},
	}
	for _, tt := range tests {
		if got, ok := padZIP(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("padZIP(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDistrictNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"00", 0, true}, {"98", 0, true}, {"01", 1, true}, {"52", 52, true}, {"0", 0, true},
		{"ZZ", 0, false}, {"99", 0, false}, {"", 0, false}, {"-1", 0, false},
	}
	for _, tt := range tests {
		if got, ok := districtNumber(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("districtNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

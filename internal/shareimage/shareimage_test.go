package shareimage

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestCard(t *testing.T) {
	for _, title := range []string{
		"Repeal Jackson-Vanik for Central Asia",
		"A campaign whose title goes on and on, far longer than any card can hold in three lines of the largest type, so it must shrink to fit",
	} {
		b, err := Card(title, "Ask your members of Congress to sign on")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != CardWidth || img.Bounds().Dy() != CardHeight {
			t.Errorf("card is %v", img.Bounds())
		}
		// The title is drawn: some pixels of the text area are white.
		found := false
		for x := 90; x < 600 && !found; x++ {
			r, g, bl, _ := img.At(x, 140).RGBA()
			found = r > 0xf000 && g > 0xf000 && bl > 0xf000
		}
		if !found {
			t.Errorf("no title text on the card for %q", title)
		}
		if dir := os.Getenv("WHIPCOUNT_TEST_OUTPUT"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, "share-card.png"), b, 0o644)
		}
	}
}

func TestFaviconICO(t *testing.T) {
	b, err := FaviconICO()
	if err != nil {
		t.Fatal(err)
	}
	var head struct{ Reserved, Type, Count uint16 }
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, &head); err != nil || head.Type != 1 || head.Count != 3 {
		t.Fatalf("ICO header %+v %v", head, err)
	}
	// The first entry's image is a 16-pixel PNG.
	size := binary.LittleEndian.Uint32(b[6+8:])
	off := binary.LittleEndian.Uint32(b[6+12:])
	img, err := png.Decode(bytes.NewReader(b[off : off+size]))
	if err != nil || img.Bounds().Dx() != 16 {
		t.Errorf("first icon: %v %v", img, err)
	}
}

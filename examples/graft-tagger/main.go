// Command graft-tagger tags photos the way a small photo-tagging service
// written with graft (github.com/wamuir/graft) does: it loads a
// SavedModel, finds its input and output in the serving signature,
// appends a Softmax to the loaded graph with Graph.AddOperation, and
// classifies the photos from 8 goroutines sharing one session. Its go.mod
// replaces graft with tfoffload's drop-in module.
//
//	go run . [-model saved_model_dir] photo.jpg...
package main

import (
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"log"
	"os"
	"sync"

	tf "github.com/wamuir/graft/tensorflow"
)

const side = 32 // the model's input is [N, 32, 32, 3], pixels in [0, 1]

type tagger struct {
	model  *tf.SavedModel
	input  tf.Output
	probs  tf.Output
	labels int
}

func newTagger(dir string) (*tagger, error) {
	model, err := tf.LoadSavedModel(dir, []string{"serve"}, nil)
	if err != nil {
		return nil, err
	}
	sig, ok := model.Signatures["serving_default"]
	if !ok {
		return nil, fmt.Errorf("%s has no serving_default signature", dir)
	}
	var in, out tf.TensorInfo
	for _, ti := range sig.Inputs {
		in = ti
	}
	for _, ti := range sig.Outputs {
		out = ti
	}
	input, err := output(model.Graph, in.Name)
	if err != nil {
		return nil, err
	}
	logits, err := output(model.Graph, out.Name)
	if err != nil {
		return nil, err
	}
	softmax, err := model.Graph.AddOperation(tf.OpSpec{
		Type:  "Softmax",
		Name:  "tagger/probabilities",
		Input: []tf.Input{logits},
	})
	if err != nil {
		return nil, err
	}
	return &tagger{model: model, input: input, probs: softmax.Output(0), labels: int(out.Shape.Size(1))}, nil
}

// output resolves a TensorInfo name such as "add_1:0".
func output(g *tf.Graph, name string) (tf.Output, error) {
	op, idx := name, 0
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == ':' {
			op = name[:i]
			fmt.Sscanf(name[i+1:], "%d", &idx)
			break
		}
	}
	o := g.Operation(op)
	if o == nil {
		return tf.Output{}, fmt.Errorf("no operation %q in the graph", op)
	}
	return o.Output(idx), nil
}

// pixels decodes a photo and samples it to side×side RGB in [0, 1].
func pixels(path string) ([side][side][3]float32, error) {
	var px [side][side][3]float32
	f, err := os.Open(path)
	if err != nil {
		return px, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return px, fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	for y := range side {
		for x := range side {
			r, g, bl, _ := img.At(b.Min.X+x*b.Dx()/side, b.Min.Y+y*b.Dy()/side).RGBA()
			px[y][x] = [3]float32{float32(r>>8) / 255, float32(g>>8) / 255, float32(bl>>8) / 255}
		}
	}
	return px, nil
}

func (t *tagger) tag(path string) (int, float32, error) {
	px, err := pixels(path)
	if err != nil {
		return 0, 0, err
	}
	x, err := tf.NewTensor([][side][side][3]float32{px})
	if err != nil {
		return 0, 0, err
	}
	res, err := t.model.Session.Run(map[tf.Output]*tf.Tensor{t.input: x}, []tf.Output{t.probs}, nil)
	if err != nil {
		return 0, 0, err
	}
	probs := res[0].Value().([][]float32)[0]
	best := 0
	for i, p := range probs {
		if p > probs[best] {
			best = i
		}
	}
	return best, probs[best], nil
}

func main() {
	dir := flag.String("model", "../../../shared/models/savedmodel/freeze/mlnet_cifar_tf1", "SavedModel directory")
	flag.Parse()
	t, err := newTagger(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer t.model.Session.Close()

	photos := flag.Args()
	type result struct {
		class int
		prob  float32
		err   error
	}
	results := make([]result, len(photos))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				c, p, err := t.tag(photos[i])
				results[i] = result{c, p, err}
			}
		}()
	}
	for i := range photos {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			log.Fatalf("%s: %v", photos[i], r.err)
		}
		fmt.Printf("%s\tclass %d of %d\tp=%.6f\n", photos[i], r.class, t.labels, r.prob)
	}
}

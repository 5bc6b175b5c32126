"""Code written for the original jupyter-innotater runs unchanged but for the import line.

The cells below use the original's API the way its example notebooks do (files under a path,
OpenCV-style BGR arrays, one-hot and column-vector targets, boolean masks, repeats configured with
dicts, buttons inside repeats, grouped image inputs, greyscale integer images); they run in a real
kernel, headless, through nbclient.
"""

import json

import nbformat
import numpy as np
import pytest
from PIL import Image

nbclient = pytest.importorskip("nbclient")

CELLS = [
    """
from labelspace.innotater import *
import numpy as np, os
foodfns = sorted(os.listdir('./foods/'))
animalfns = sorted(os.listdir('./animals/'))
""",
    # boxes on files under a path
    """
targets = np.zeros((len(foodfns), 4), dtype='int')
Innotater( ImageInnotation(foodfns, path='./foods'), BoundingBoxInnotation(targets) )
""",
    # arrays as OpenCV loads them (BGR), classes from a plain list, then one-hot
    """
from PIL import Image
foods = [np.asarray(Image.open('./foods/' + f))[:, :, ::-1] for f in foodfns]
classes = ['vegetable', 'biscuit', 'fruit']
targets = [0] * len(foodfns)
w2 = Innotater(
        ImageInnotation(foods, name='Food'),
        MultiClassInnotation(targets, name='FoodType', classes=classes, desc='Food Type')
)
display(w2)
onehot_targets = np.squeeze(np.eye(len(classes))[np.array(targets).reshape(-1)])
Innotater(ImageInnotation(foods, name='Food'),
          MultiClassInnotation(onehot_targets, name='FoodType', classes=classes, desc='Food Type'))
""",
    # a binary flag, then a mask of samples with a box sourced by name
    """
isfruit_targets = (np.array([0, 2, 1, 2]) == 2).astype('int')
Innotater( ImageInnotation(foodfns, path='./foods', width=300),
           BinaryClassInnotation(isfruit_targets, name='Is Fruit') )
bboxes = np.zeros((len(foodfns),4), dtype='int')
isfruits = np.expand_dims(isfruit_targets, axis=-1)
suspected_fruits = isfruits == 1
w = Innotater(
        ImageInnotation(foodfns, name='Food', path='./foods'),
        [ BinaryClassInnotation(isfruits, name='Is Fruit'),
          BoundingBoxInnotation(bboxes, name='bbs', source='Food', desc='Food Type') ],
    indexes = suspected_fruits
)
assert w.uindexes == [1, 3]
""",
    # two images side by side, a one-hot binary target; texts with sentiments
    """
targets = np.array([[1,0]] * 4)
lfoods = foods[:4]
rfoods = lfoods.copy()
rfoods.reverse()
Innotater([ImageInnotation(lfoods, name='Food 1'), ImageInnotation(rfoods, name='Food 2')],
          [BinaryClassInnotation(targets, name='Are Equal')])
reviews = ['I really liked this movie', 'It was OK', 'Do not watch!', 'Was worth trying it']
sentiments = [1] * len(reviews)
sentiment_classes = ['0 - Positive', '1 - Neutral', '2 - Negative']
Innotater(TextInnotation(reviews), MultiClassInnotation(sentiments, classes=sentiment_classes))
""",
    # repeats: boxes with a column-vector class, vertical; boxes with one-hot breeds configured by a dict
    """
repeats = 8
classes = ['cat', 'dog']
targets_type = np.zeros((len(animalfns), 1), dtype='int')
targets_bboxes = np.zeros((len(animalfns), repeats, 4), dtype='int')
Innotater(
    ImageInnotation(animalfns, path='./animals', width=400, height=300),
    [
        MultiClassInnotation(targets_type, name='Animal Type', classes=classes, dropdown=False),
        RepeatInnotation((BoundingBoxInnotation, targets_bboxes), max_repeats=repeats, min_repeats=1)
    ],
    vertical=True
)
targets_exclude = np.zeros((len(animalfns), 1), dtype='int')
targets_mainbbox = np.zeros((len(animalfns), 4), dtype='int')
breeds = ['Cat - Shorthair tabby', 'Cat - Shorthair ginger', 'Dog - Labrador', 'Dog - Beagle', 'Dog - Terrier']
targets_breed = np.zeros((len(animalfns), repeats, len(breeds)), dtype='int')
targets_breed[:,:,0] = 1
targets_bboxes = np.zeros((len(animalfns), repeats, 4), dtype='int')
Innotater(
    [ ImageInnotation(animalfns, path='./animals', width=370, height=280),
      TextInnotation(animalfns, multiline=False) ],
    [
        BinaryClassInnotation(targets_exclude, name='Exclude'),
        BoundingBoxInnotation(targets_mainbbox, name='Main Bounding Box'),
        RepeatInnotation(
            (BoundingBoxInnotation, targets_bboxes),
            (MultiClassInnotation, targets_breed, {'name':'Breed', 'classes':breeds, 'dropdown':True}),
            max_repeats=repeats, min_repeats=1
        )
    ]
)
targets_singlebb = np.zeros((len(animalfns), 4), dtype='int')
targets_cl = np.zeros((len(animalfns), 1), dtype='int')
Innotater( ImageInnotation(animalfns, path='./animals', width=370, height=280),
           GroupedInnotation(
              MultiClassInnotation(targets_cl, name='Animal', classes=classes, dropdown=True),
              BoundingBoxInnotation(targets_singlebb)
           )
)
""",
    # hooks: a save hook; buttons inside a repeat and at the top level
    """
targets = np.zeros((len(foodfns), 4), dtype='int')
def my_save_hook(uindexes):
    np.savetxt("foodboxes.csv", targets, delimiter=",", fmt="%d")
    return True
Innotater( ImageInnotation(foodfns, path='./foods'), BoundingBoxInnotation(targets), save_hook=my_save_hook )
targets_type = np.zeros((len(animalfns), len(classes)), dtype='int')
targets_bboxes = np.zeros((len(animalfns), repeats, 4), dtype='int')
def reset_click(uindex, repeat_index, **kwargs):
    if repeat_index == -1:
        targets_type[uindex] = [1,0]
        for i in range(repeats):
            targets_bboxes[uindex, i, :] = 0
    else:
        targets_bboxes[uindex, repeat_index, :] = 0
    return True
w = Innotater(
    ImageInnotation(animalfns, path='./animals', width=400, height=300),
    [
        MultiClassInnotation(targets_type, name='Animal Type', classes=classes, dropdown=False),
        RepeatInnotation(
            (ButtonInnotation, None, {'desc': 'X', 'on_click': reset_click, 'layout': {'width': '40px'}}),
            (BoundingBoxInnotation, targets_bboxes),
             max_repeats=repeats, min_repeats=1
        ),
        ButtonInnotation(None, name='Reset All', on_click=reset_click)
    ]
)
targets_bboxes[0, 0] = [1, 2, 3, 4]
w.handle({'kind': 'click', 'name': 'Reset All'})
assert not targets_bboxes.any() and targets_type[0].tolist() == [1, 0]
""",
    # grouped image inputs: a None second argument, boxes sourced by name
    """
foods_paths = ['./foods/'+f for f in foodfns]
images = []
targets = np.zeros((len(foodfns), 4, 4), dtype='int')
for view in range(4):
    images.append(foods_paths[view:] + foods_paths[:view])
image_ins = [ImageInnotation(images[i], None, name='Food '+str(i), width=300, height=250) for i in range(4)]
bb_ins = [BoundingBoxInnotation(targets[i], name='bbs '+str(i), source='Food '+str(i), desc='Food Type '+str(i))
          for i in range(4)]
Innotater([ GroupedInnotation(*image_ins[0:2]), GroupedInnotation(*image_ins[2:4]) ], bb_ins)
""",
    # flat (greyscale) integer images
    """
foods_flat = [f.mean(axis=2).astype('int') for f in foods]
w2f = Innotater(ImageInnotation(foods_flat, name='Food'),
                MultiClassInnotation(targets[0, :, 0].tolist(), name='FoodType', classes=classes, desc='Food Type'))
display(w2f)
print(w2f.inputs[0].encoded(0).mime)
""",
]


def test_the_originals_examples_run_unchanged_but_for_the_import(tmp_path):
    rng = np.random.default_rng(0)
    for folder, n in (("foods", 4), ("animals", 3)):
        (tmp_path / folder).mkdir()
        for i in range(n):
            Image.fromarray((rng.random((120, 160, 3)) * 255).astype(np.uint8)).save(
                tmp_path / folder / f"{folder}{i}.jpg"
            )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.strip()) for c in CELLS])
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    widgets = [
        o
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 7  # the widgets these cells display
    assert notebook.cells[-1].outputs[-1]["text"].strip() == "image/jpeg"
    assert (tmp_path / "foodboxes.csv").exists() is False  # saving happens only when asked
    json.dumps(notebook)  # the executed notebook is valid JSON

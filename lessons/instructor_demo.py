# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %%
from cnnlab import demo

chain = demo.PhotoChain(demo.photo())
assert chain.relu.output.shape == chain.convolution.output.shape

# %% [markdown]
# ## 1 · Convolution: a kernel slides over the photo
# Space plays and pauses the widget in view; the arrow keys and a clicker's page keys step it.

# %%
chain.upload_row()

# %%
chain.convolution

# %% [markdown]
# ## 2 · ReLU keeps the evidence, drops the negatives

# %%
chain.relu

# %% [markdown]
# ## 3 · Max pooling keeps the strongest answer of each window

# %%
chain.pooling

# %% [markdown]
# ## 4 · Flattening lines the numbers up for the dense layers

# %%
chain.flatten

# %% [markdown]
# ## 5 · Full connection: a trained network reads a digit you draw

# %%
from cnnlab.widgets import DrawWidget

pad = DrawWidget()   # shows at once; the network loads behind it
pad

# %%
assert pad.layer is not None and pad.top3 == []   # waits until the network has loaded

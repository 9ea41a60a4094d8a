"""The palette as hex strings, without Qt: Okabe & Ito (2008), "Color Universal Design".

Eight colours that stay distinct for the common colour-vision deficiencies and on a
washed-out projector. ``theme`` builds the window's colours on them; ``frames`` colours
the decision-boundary image with them off the GUI thread.
"""

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

"""The centre tabs, one module each (Layers, Compare, Theory, Training): plots and controls
put together on a ProjectDocument, with their computation sent to ``workers/``."""

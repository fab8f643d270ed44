"""The query's vector: the encoder's, less the direction every short phrase shares."""

import numpy as np

from suivi.encoder import get_encoder
from suivi.services import meaning


def test_a_query_loses_what_every_short_phrase_shares() -> None:
    centre = meaning.phrase_centre()
    direction = centre / np.linalg.norm(centre)
    for query in ("défenseurs des droits humains", "حرية التعبير", "trabajo infantil"):
        raw = get_encoder().encode([query])[0]
        centred = meaning.query_vector(query)
        assert abs(float(np.linalg.norm(centred)) - 1.0) < 1e-5
        assert float(centred @ direction) < float(raw @ direction) - 0.2
        # What the words say is kept: the centred query stays near its own raw vector.
        assert float(centred @ raw) > 0.5

"""The four Botilbud services. None imports another; they share only `contracts` and the runtime kit."""

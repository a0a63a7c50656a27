from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files for production.

    Vendor packages from npm sometimes refer to files they do not ship (source maps
    of bundled plugins); such a reference is left as written instead of failing the
    whole collectstatic.
    """

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def tolerant(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                return matchobj.group(0)

        return tolerant

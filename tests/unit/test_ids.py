from posttui.ids import find_identifiers, identifier_of_url, normalize_arxiv, normalize_doi, split_arxiv


def test_arxiv_forms():
    assert split_arxiv("2511.10640v2") == ("2511.10640", "v2")
    assert split_arxiv("arXiv:2511.10640") == ("2511.10640", "")
    assert split_arxiv("https://arxiv.org/abs/2511.10640v1") == ("2511.10640", "v1")
    assert split_arxiv("https://arxiv.org/pdf/2511.10640.pdf") == ("2511.10640", "")
    assert normalize_arxiv("astro-ph/0601001") == "astro-ph/0601001"
    assert normalize_arxiv("Math.ag/0601001v3") == "math.AG/0601001"
    assert normalize_arxiv("not an id") is None
    assert normalize_arxiv("1234.5") is None


def test_doi_forms():
    assert normalize_doi("https://dx.doi.org/10.1093/MNRAS/STAA123") == "10.1093/mnras/staa123"
    assert normalize_doi("doi:10.1103/PhysRevD.98.123") == "10.1103/physrevd.98.123"
    assert normalize_doi("10.1016/0370-2693(80)90670-X") == "10.1016/0370-2693(80)90670-x"
    assert normalize_doi("https://example.org/10.1/x") is None


def test_identifier_of_url():
    assert identifier_of_url("https://doi.org/10.1016/0370-2693(80)90670-X") == ("doi", "10.1016/0370-2693(80)90670-x")
    assert identifier_of_url("http://arxiv.org/abs/hep-th/9901001v2") == ("arxiv", "hep-th/9901001")
    assert identifier_of_url("https://github.com/x/y") is None


def test_find_identifiers_in_prose():
    dois, arxiv = find_identifiers(
        "see doi:10.1016/0370-2693(80)90670-X). Also arXiv:2103.12345v2 and arxiv.org/abs/astro-ph/0601001."
    )
    assert dois == {"10.1016/0370-2693(80)90670-x"}
    assert arxiv == {"2103.12345", "astro-ph/0601001"}

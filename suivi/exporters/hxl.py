"""Humanitarian Exchange Language (HXL) hashtags of the export's columns, for `?hxl=1`.

HXL (https://hxlstandard.org) puts a row of hashtags under a table's header so tools such as
HDX and the HXL Proxy know what each column holds without reading its name. The choices:

| column | hashtag | why |
|---|---|---|
| id | `#meta+id` | Suivi's own identifier |
| state | `#country+code` | ISO 3166-1 alpha-3 of the State under review |
| mechanism | `#org+mechanism` | the UN mechanism (UPR, treaty bodies, special procedures) |
| body | `#org+body` | the committee, mandate or the UPR that made it |
| document_symbol | `#meta+document` | the UN document symbol |
| paragraph | `#meta+paragraph` | its paragraph number |
| text | `#description+text` | the recommendation's text |
| language | `#meta+lang` | ISO 639-1 of the text |
| recommending_states | `#country+code+recommending` | States that made a UPR recommendation |
| position | `#status+position` | the State's answer: supported, noted... |
| action_category | `#indicator+category+action` | UPR Info action category, 1 to 5 |
| session | `#meta+session` | UPR or treaty-body session |
| cycle | `#meta+cycle` | UPR cycle |
| date | `#date+issued` | the document's date |
| themes | `#sector+theme` | UHRI themes |
| affected_persons | `#group+affected` | UHRI affected persons |
| sdgs | `#indicator+sdg` | SDG targets |
| hrd_relevance | `#indicator+hrd` | concerns defenders: direct, related or none |
| hrd_reasons | `#description+hrd` | why: the source tag or the matched terms |
| status | `#status+implementation` | derived implementation status |
| updated_at | `#date+updated` | last change of the row |
| source_format | `#meta+source` | where the row came from; `sample` is the illustrative sample |
"""

HXL_TAGS: dict[str, str] = {
    "id": "#meta+id",
    "state": "#country+code",
    "mechanism": "#org+mechanism",
    "body": "#org+body",
    "document_symbol": "#meta+document",
    "paragraph": "#meta+paragraph",
    "text": "#description+text",
    "language": "#meta+lang",
    "recommending_states": "#country+code+recommending",
    "position": "#status+position",
    "action_category": "#indicator+category+action",
    "session": "#meta+session",
    "cycle": "#meta+cycle",
    "date": "#date+issued",
    "themes": "#sector+theme",
    "affected_persons": "#group+affected",
    "sdgs": "#indicator+sdg",
    "hrd_relevance": "#indicator+hrd",
    "hrd_reasons": "#description+hrd",
    "status": "#status+implementation",
    "updated_at": "#date+updated",
    "source_format": "#meta+source",
}


def hashtag_row(columns: list[str]) -> list[str]:
    """The HXL row under a header of `columns`."""
    return [HXL_TAGS[column] for column in columns]

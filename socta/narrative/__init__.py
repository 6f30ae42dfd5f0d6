"""What analysts write: the narrative of the assessment, kept with the data and checked against it.

A data folder may hold ``narrative/<lang>/<page>.md``: MyST Markdown files that analysts write, one per
crime-area page (``areas/drugs/index.md`` for the region, ``areas/drugs/countries/SRB.md`` for a
country) with named sections, and whole chapters (``key_findings.md``, ``recommendations.md``). The
layout, the section names and the chapter list are settings (``narrative:`` in settings.yaml).

- :mod:`socta.narrative.files` finds and reads the files (front matter: author, reviewer, status);
- :mod:`socta.narrative.values` resolves the live values an analyst writes instead of a number
  (``{value}`drug_offences 2024```) from the edition's processed tables;
- :mod:`socta.narrative.render` turns a file into the MyST the book shows: only the markup it knows
  (paragraphs, emphasis, lists, headings, its own blocks) is written back, every character of the
  analyst's text made inert, so a narrative file cannot run anything in the build;
- :mod:`socta.narrative.check` reads every typed number and direction word against the data;
- :mod:`socta.narrative.place` puts the rendered text into the staged pages of an edition, without
  executing any notebook again.
"""

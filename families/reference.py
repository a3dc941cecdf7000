"""Reference data that identifiers are checked against: the list shipped with the product,
kept in the database, and read once per process.

The list is written out here, not read from python-stdnum, so that it only changes when
someone changes it here. It is python-stdnum 2.2's list (the DfE's 2011 codes) plus the codes
of the later reorganisations. Codes are only ever added: pupils keep the UPNs they were given.
"""

from functools import cache
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from families.models import DfeLaNumber

DFE_LA_NUMBERS = [
    ("201", "City of London"),
    ("202", "Camden"),
    ("203", "Greenwich"),
    ("204", "Hackney"),
    ("205", "Hammersmith and Fulham"),
    ("206", "Islington"),
    ("207", "Kensington and Chelsea"),
    ("208", "Lambeth"),
    ("209", "Lewisham"),
    ("210", "Southwark"),
    ("211", "Tower Hamlets"),
    ("212", "Wandsworth"),
    ("213", "Westminster"),
    ("301", "Barking and Dagenham"),
    ("302", "Barnet"),
    ("303", "Bexley"),
    ("304", "Brent"),
    ("305", "Bromley"),
    ("306", "Croydon"),
    ("307", "Ealing"),
    ("308", "Enfield"),
    ("309", "Haringey"),
    ("310", "Harrow"),
    ("311", "Havering"),
    ("312", "Hillingdon"),
    ("313", "Hounslow"),
    ("314", "Kingston upon Thames"),
    ("315", "Merton"),
    ("316", "Newham"),
    ("317", "Redbridge"),
    ("318", "Richmond upon Thames"),
    ("319", "Sutton"),
    ("320", "Waltham Forest"),
    ("330", "Birmingham"),
    ("331", "Coventry"),
    ("332", "Dudley"),
    ("333", "Sandwell"),
    ("334", "Solihull"),
    ("335", "Walsall"),
    ("336", "Wolverhampton"),
    ("340", "Knowsley"),
    ("341", "Liverpool"),
    ("342", "St Helens"),
    ("343", "Sefton"),
    ("344", "Wirral"),
    ("350", "Bolton"),
    ("351", "Bury"),
    ("352", "Manchester"),
    ("353", "Oldham"),
    ("354", "Rochdale"),
    ("355", "Salford"),
    ("356", "Stockport"),
    ("357", "Tameside"),
    ("358", "Trafford"),
    ("359", "Wigan"),
    ("370", "Barnsley"),
    ("371", "Doncaster"),
    ("372", "Rotherham"),
    ("373", "Sheffield"),
    ("380", "Bradford"),
    ("381", "Calderdale"),
    ("382", "Kirklees"),
    ("383", "Leeds"),
    ("384", "Wakefield"),
    ("390", "Gateshead"),
    ("391", "Newcastle upon Tyne"),
    ("392", "North Tyneside"),
    ("393", "South Tyneside"),
    ("394", "Sunderland"),
    ("420", "Isles of Scilly"),
    ("800", "Bath and North East Somerset"),
    ("801", "Bristol, City of"),
    ("802", "North Somerset"),
    ("803", "South Gloucestershire"),
    ("805", "Hartlepool"),
    ("806", "Middlesbrough"),
    ("807", "Redcar and Cleveland"),
    ("808", "Stockton-on-Tees"),
    ("810", "Kingston upon Hull, City of"),
    ("811", "East Riding of Yorkshire"),
    ("812", "North East Lincolnshire"),
    ("813", "North Lincolnshire"),
    ("815", "North Yorkshire"),
    ("816", "York"),
    ("821", "Luton"),
    ("822", "Bedford"),
    ("823", "Central Bedfordshire"),
    ("825", "Buckinghamshire"),
    ("826", "Milton Keynes"),
    ("830", "Derbyshire"),
    ("831", "Derby"),
    ("835", "Dorset (until 2019)"),
    ("836", "Poole (until 2019)"),
    ("837", "Bournemouth (until 2019)"),
    ("838", "Dorset"),
    ("839", "Bournemouth, Christchurch and Poole"),
    ("840", "County Durham"),
    ("841", "Darlington"),
    ("845", "East Sussex"),
    ("846", "Brighton and Hove"),
    ("850", "Hampshire"),
    ("851", "Portsmouth"),
    ("852", "Southampton"),
    ("855", "Leicestershire"),
    ("856", "Leicester"),
    ("857", "Rutland"),
    ("860", "Staffordshire"),
    ("861", "Stoke-on-Trent"),
    ("865", "Wiltshire"),
    ("866", "Swindon"),
    ("867", "Bracknell Forest"),
    ("868", "Windsor and Maidenhead"),
    ("869", "West Berkshire"),
    ("870", "Reading"),
    ("871", "Slough"),
    ("872", "Wokingham"),
    ("873", "Cambridgeshire"),
    ("874", "Peterborough"),
    ("876", "Halton"),
    ("877", "Warrington"),
    ("878", "Devon"),
    ("879", "Plymouth"),
    ("880", "Torbay"),
    ("881", "Essex"),
    ("882", "Southend-on-Sea"),
    ("883", "Thurrock"),
    ("884", "Herefordshire"),
    ("885", "Worcestershire"),
    ("886", "Kent"),
    ("887", "Medway"),
    ("888", "Lancashire"),
    ("889", "Blackburn with Darwen"),
    ("890", "Blackpool"),
    ("891", "Nottinghamshire"),
    ("892", "Nottingham"),
    ("893", "Shropshire"),
    ("894", "Telford and Wrekin"),
    ("895", "Cheshire East"),
    ("896", "Cheshire West and Chester"),
    ("908", "Cornwall"),
    ("909", "Cumbria (until 2023)"),
    ("916", "Gloucestershire"),
    ("919", "Hertfordshire"),
    ("921", "Isle of Wight"),
    ("925", "Lincolnshire"),
    ("926", "Norfolk"),
    ("928", "Northamptonshire (until 2021)"),
    ("929", "Northumberland"),
    ("931", "Oxfordshire"),
    ("933", "Somerset"),
    ("935", "Suffolk"),
    ("936", "Surrey"),
    ("937", "Warwickshire"),
    ("938", "West Sussex"),
    ("940", "North Northamptonshire"),
    ("941", "West Northamptonshire"),
    ("942", "Cumberland"),
    ("943", "Westmorland and Furness"),
]


def dfe_la_numbers_ensure(apps: Apps = global_apps, using: str = "default") -> None:
    """Add any shipped DfE LA number the table lacks. Run by the migration that creates the
    table and after every migrate (a test-database flush empties the table)."""
    model = apps.get_model("families", "DfeLaNumber")
    model.objects.using(using).bulk_create(
        [model(code=code, name=name) for code, name in DFE_LA_NUMBERS], ignore_conflicts=True
    )


@cache
def dfe_la_numbers() -> frozenset[str]:
    """The DfE LA numbers a UPN may carry in positions 2 to 4."""
    return frozenset(DfeLaNumber.objects.values_list("code", flat=True))


# Connected when this module is imported, which is before the cache can hold anything, so
# no cached list outlives a change made in this process. The list changes by migration, and
# a deploy restarts every process, so other processes need no telling.
@receiver(post_save, sender=DfeLaNumber, dispatch_uid="dfe_la_numbers_saved")
@receiver(post_delete, sender=DfeLaNumber, dispatch_uid="dfe_la_numbers_deleted")
def _forget_dfe_la_numbers(**kwargs: Any) -> None:
    dfe_la_numbers.cache_clear()

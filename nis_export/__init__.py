"""The National Impact Study submission to ONS: built, checked, encrypted and audited."""
